# Side-by-side anchor for bench/Alliance.Analytics.Bench/LoadingBenchmarks.cs: the same file (written by its setup to
# the temp directory), read by R's fastest CSV readers and by base R, with the range check a validation needs.
# Run: Rscript bench/r/loading.R [path]   (default: $TMPDIR/alliance-bench-1000000.csv)
args <- commandArgs(trailingOnly = TRUE)
path <- if (length(args) > 0) args[1] else file.path(Sys.getenv("TMPDIR", "/tmp"), "alliance-bench-1000000.csv")
suppressPackageStartupMessages({ library(data.table); library(readr) })
items <- paste0("q", 1:16)
check <- function(d) {
  m <- as.matrix(d[, items, with = FALSE])
  bad <- sum(!is.na(m) & (m < 1 | m > 7 | m != round(m)))
  stopifnot(bad == 0)
  nrow(d)
}
time3 <- function(label, f) {
  t <- replicate(3, system.time(f())[["elapsed"]])
  cat(sprintf("%-48s median %.2f s  (runs: %s)\n", label, median(t), paste(sprintf("%.2f", t), collapse = ", ")))
}
setDTthreads(2)
time3("data.table::fread (2 threads) + range check", function() check(fread(path, na.strings = c("", "NA"))))
time3("readr::read_csv (2 threads) + range check", function() check(as.data.table(read_csv(path, na = c("", "NA"), show_col_types = FALSE, progress = FALSE, num_threads = 2))))
time3("utils::read.csv + range check", function() check(as.data.table(read.csv(path, na.strings = c("", "NA")))))
