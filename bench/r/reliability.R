# The R side of bench/Alliance.Analytics.Bench/ReliabilityBenchmarks.cs, on the same files.
# Run the C# benchmark first (its setup writes the data to the temp directory), then:
#   Rscript bench/r/reliability.R [TMPDIR]
# Prints the median elapsed seconds of each call over several runs.
suppressMessages({ library(psych); library(data.table) })
options(warn = -1)
args <- commandArgs(trailingOnly = TRUE)
dir <- if (length(args) > 0) args[1] else Sys.getenv("TMPDIR", "/tmp")
large <- file.path(dir, "alliance-bench-reliability-100k.csv")
ordinal <- file.path(dir, "alliance-bench-reliability-20k.csv")
if (!file.exists(large) || !file.exists(ordinal))
  stop("Run the C# ReliabilityBenchmarks first: its setup writes ", large, " and ", ordinal)
x <- as.data.frame(fread(large))
y <- as.data.frame(fread(ordinal))
cat(sprintf("R %s, psych %s, cores used by mclapply: %s\n", R.version$version.string, packageVersion("psych"), getOption("mc.cores", 2L)))

timed <- function(label, f, reps) {
  t <- sapply(seq_len(reps), function(i) system.time(f())[["elapsed"]])
  cat(sprintf("%-45s median %.3f s  (runs: %s)\n", label, median(t), paste(sprintf("%.3f", t), collapse = ", ")))
  invisible(median(t))
}
a <- timed("psych::alpha 100k x 16", function() alpha(x), 5)
o <- timed("psych::omega(nfactors = 1) 100k x 16", function() omega(x, nfactors = 1, plot = FALSE), 5)
cat(sprintf("%-45s %.3f s\n", "alpha + omega", a + o))
timed("psych::alpha(n.iter = 200) 100k x 16", function() alpha(x, n.iter = 200), 1)
timed("psych::polychoric 20k x 16", function() polychoric(y), 3)
cat(sprintf("alpha %.6f  omega_t %.6f\n", alpha(x)$total$raw_alpha, omega(x, nfactors = 1, plot = FALSE)$omega.tot))
