# Side-by-side R anchor for bench/Alliance.Analytics.Bench/SimulationBenchmarks.cs:
# 1,000,000 administrations of a 12-item graded response model (the WAI-SR rendering of the simulator:
# same slopes, locations and category offsets), vectorised base R. Run: Rscript bench/r/simulation.R
set.seed(1)
n <- 1e6
k <- 1:12
u <- (0.618034 * k) %% 1
w <- (0.754878 * k) %% 1
slope <- 1.3 + 1.3 * u
sub <- c(0.05, 0.05, -0.15, 0.10, -0.15, 0.10, -0.15, 0.10, -0.15, 0.05, 0.10, 0.05)  # Task, Goal, Bond means by item
loc <- sub + 0.5 * (w - 0.5)
offsets <- c(-2.5, -1.45, -0.45, 0.6)
theta <- rnorm(n)

grm <- function(theta, slope, loc, offsets) {
  out <- matrix(0L, length(theta), length(slope))
  for (j in seq_along(slope)) {
    latent <- theta - loc[j] - qlogis(runif(length(theta))) / slope[j]
    out[, j] <- 1L + as.integer(latent > offsets[1]) + as.integer(latent > offsets[2]) +
      as.integer(latent > offsets[3]) + as.integer(latent > offsets[4])
  }
  out
}

times <- replicate(5, system.time(grm(theta, slope, loc, offsets))[["elapsed"]])
x <- grm(theta, slope, loc, offsets)
cat(sprintf("R %s: 1e6 x 12 GRM responses, median of 5: %.3f s (runs: %s)\n",
            getRversion(), median(times), paste(sprintf("%.3f", times), collapse = ", ")))
cat(sprintf("category shares: %s\n", paste(sprintf("%.3f", tabulate(x, 5) / length(x)), collapse = " ")))
