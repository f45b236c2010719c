# Side-by-side R timing for bench/Alliance.Analytics.Bench/IrtBenchmarks.cs.
# Simulates 100,000 respondents x 16 items x 5 categories from a graded response model (slopes 0.8-2.2), writes
# bench/data/irt-100k.csv (read by the C# benchmark), then times psychotools::rsmodel (rating scale model by CML).
# mirt is not packaged for Debian: its published timings (mirt 1.47, 2-core machine) are recorded in bench/results/irt.md.
# Run from the repository root: Rscript bench/r/irt.R
suppressMessages(library(psychotools))
set.seed(20261126)
n <- 100000; m <- 16
a <- seq(0.8, 2.2, length.out = m)
b <- t(sapply(seq_len(m), function(j) sort(c(-2, -0.8, 0.3, 1.4) + seq(-0.6, 0.6, length.out = m)[j])))
theta <- rnorm(n)
x <- matrix(0L, n, m, dimnames = list(NULL, sprintf("i%02d", 1:m)))
for (j in 1:m) {
  pstar <- sapply(1:4, function(k) plogis(a[j] * (theta - b[j, k])))
  u <- runif(n)
  x[, j] <- rowSums(u < pstar)
}
dir.create("bench/data", showWarnings = FALSE)
write.csv(x, "bench/data/irt-100k.csv", row.names = FALSE)
cat("R", R.version.string, "psychotools", as.character(packageVersion("psychotools")), "\n")
times <- sapply(1:3, function(i) system.time(fit <<- rsmodel(x))[["elapsed"]])
cat(sprintf("psychotools::rsmodel 100000 x 16 x 5: %s s (median %.2f s); logLik %.4f\n", paste(sprintf("%.2f", times), collapse = ", "), median(times), as.numeric(logLik(fit))))
