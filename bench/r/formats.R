# Side-by-side R timing for bench/Alliance.Analytics.Bench/FormatsBenchmarks.cs on the committed synthetic format
# cohort (data/synthetic/formats/wai36_7point.csv): the WAI's reverse-keyed items reverse-scored, complete rows, then
# for each of a sample of collapse maps the rating scale model by CML (psychotools::rsmodel), its thresholds, person
# separation (eRm::SepRel is far too slow on 36 x 7: bench/results/irt.md) replaced by psychotools' person parameters,
# and psych::alpha. The explorer fits all 64 maps; R's time for it is extrapolated from the sample (see
# bench/results/formats.md). Run from the repository root: Rscript bench/r/formats.R
suppressMessages({ library(psychotools); library(psych) })
cat("R", R.version.string, "psychotools", as.character(packageVersion("psychotools")), "psych", as.character(packageVersion("psych")), "\n")
x <- read.csv("data/synthetic/formats/wai36_7point.csv")
items <- x[, sprintf("wai%d", 1:36)]
rev <- c(1, 3, 7, 9, 10, 11, 12, 15, 20, 27, 29, 31, 33)
items[, rev] <- 8 - items[, rev]
items <- as.matrix(items[complete.cases(items), ])
cat("complete rows:", nrow(items), "\n")
maps <- list(c(1, 2, 3, 4, 5, 6, 7), c(1, 2, 2, 2, 3, 4, 5), c(1, 1, 1, 1, 2, 3, 4), c(1, 2, 3, 4, 5, 5, 6))
one <- function(map) {
  y <- matrix(map[items], nrow(items)) - 1
  fit <- rsmodel(y)
  thr <- threshpar(fit, type = "mode")
  pp <- personpar(fit, vcov = FALSE)
  a <- psych::alpha(y + 1, warnings = FALSE)$total$raw_alpha
  c(logLik = as.numeric(logLik(fit)), alpha = a)
}
for (map in maps) {
  t <- system.time(r <- one(map))[["elapsed"]]
  cat(sprintf("map %s: %.2f s; logLik %.4f; alpha %.6f\n", paste(map, collapse = ","), t, r[["logLik"]], r[["alpha"]]))
}
