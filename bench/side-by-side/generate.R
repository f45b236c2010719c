# Data for bench/side-by-side.sh, written once per run from fixed seeds.
#   Rscript bench/side-by-side/generate.R DIR N_IRT N_LOAD
# DIR/irt.csv   N_IRT persons x 16 items x 5 categories (1..5) from a graded response model (slopes 0.8-2.2)
# DIR/load.csv  N_LOAD rows x 16 items (1..5), the same model, for the loading row
# DIR/studies.csv  295 correlations with sample sizes and moderators (a Flueckiger-style set, as bench/r/meta-bench.R)
args <- commandArgs(trailingOnly = TRUE)
dir <- args[1]; n_irt <- as.integer(args[2]); n_load <- as.integer(args[3])
dir.create(dir, showWarnings = FALSE, recursive = TRUE)
m <- 16
a <- seq(0.8, 2.2, length.out = m)
b <- t(sapply(seq_len(m), function(j) sort(c(-2, -0.8, 0.3, 1.4) + seq(-0.6, 0.6, length.out = m)[j])))
grm <- function(n) {
  theta <- rnorm(n)
  x <- matrix(0L, n, m, dimnames = list(NULL, sprintf("i%02d", 1:m)))
  for (j in 1:m) {
    u <- runif(n)
    x[, j] <- 1L + as.integer(rowSums(sapply(1:4, function(k) u < plogis(a[j] * (theta - b[j, k])))))
  }
  x
}
set.seed(20261126)
data.table::fwrite(as.data.frame(grm(n_irt)), file.path(dir, "irt.csv"))
set.seed(20261127)
data.table::fwrite(as.data.frame(grm(n_load)), file.path(dir, "load.csv"))
set.seed(2018)
k <- 295
ni <- round(exp(runif(k, log(20), log(400))))
rater <- sample(c("client", "therapist", "observer"), k, replace = TRUE, prob = c(.6, .2, .2))
measure <- sample(c("WAI", "CALPAS", "HAq", "other"), k, replace = TRUE, prob = c(.5, .15, .15, .2))
timing <- sample(c("early", "mid", "late"), k, replace = TRUE)
ratio <- round(runif(k, 1, 20), 1)
zi <- atanh(.278) + rnorm(k, 0, .10) + rnorm(k, 0, sqrt(1 / (ni - 3)))
write.csv(data.frame(study = sprintf("S%03d", 1:k), r = round(tanh(zi), 4), n = ni, rater, measure, timing, ratio),
          file.path(dir, "studies.csv"), row.names = FALSE)
