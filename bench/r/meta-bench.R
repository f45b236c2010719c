# R side of bench/Alliance.Analytics.Bench/MetaBenchmarks.cs: the same study set, the same analyses, timed with metafor.
# Run from the repository root:  Rscript bench/r/meta-bench.R
# Writes bench/r/meta-k295.csv (the data both sides use; committed) and prints the timings recorded in bench/results/meta.md.
suppressPackageStartupMessages(library(metafor))
set.seed(2018)
k <- 295
# A Flückiger-style study set (synthetic): rho = .278, tau = .10 on the z scale, moderators like the alliance literature's.
ni <- round(exp(runif(k, log(20), log(400))))
rater <- sample(c("client", "therapist", "observer"), k, replace = TRUE, prob = c(.6, .2, .2))
measure <- sample(c("WAI", "CALPAS", "HAq", "other"), k, replace = TRUE, prob = c(.5, .15, .15, .2))
timing <- sample(c("early", "mid", "late"), k, replace = TRUE)
ratio <- round(runif(k, 1, 20), 1)
zi <- atanh(.278) + rnorm(k, 0, .10) + rnorm(k, 0, sqrt(1 / (ni - 3)))
ri <- round(tanh(zi), 4)
dat <- data.frame(study = sprintf("S%03d", 1:k), r = ri, n = ni, rater, measure, timing, ratio)
# A second effect size for 60% of the studies (for the three-level model): same study, another outcome measure.
two <- dat[sample(k, round(.6 * k)), ]
two$r <- round(tanh(atanh(two$r) + rnorm(nrow(two), 0, .08)), 4)
dat$es_id <- 1
two$es_id <- 2
all <- rbind(dat, two)
all <- all[order(all$study, all$es_id), ]
write.csv(all, "bench/r/meta-k295.csv", row.names = FALSE)

one <- escalc("ZCOR", ri = r, ni = n, data = all[all$es_id == 1, ])
mv <- escalc("ZCOR", ri = r, ni = n, data = all)
cat(R.version.string, "; metafor", as.character(packageVersion("metafor")), "\n")
cat("k =", nrow(one), "studies;", nrow(mv), "effect sizes\n")

reps <- 200
t1 <- system.time(for (i in 1:reps) { res <- rma(yi, vi, data = one); ci <- confint(res) })[["elapsed"]]
cat(sprintf("REML + Q-profile CI (k = %d): %.3f ms per fit (mean of %d)\n", nrow(one), 1000 * t1 / reps, reps))
t0 <- system.time(for (i in 1:reps) res <- rma(yi, vi, data = one))[["elapsed"]]
cat(sprintf("REML only: %.3f ms per fit\n", 1000 * t0 / reps))

reg <- rma(yi, vi, mods = ~ rater + measure + timing + ratio, data = one)
t2 <- system.time(pt <- permutest(reg, iter = 1000, progbar = FALSE))[["elapsed"]]
cat(sprintf("permutest, 1000 permutations, p = %d coefficients: %.1f s (QM p = %.4f)\n", reg$p, t2, pt$QMp))

t3 <- system.time({ m3 <- rma.mv(yi, vi, random = ~ 1 | study/es_id, data = mv); pc <- confint(m3) })[["elapsed"]]
cat(sprintf("three-level REML + profile CIs (k = %d in %d studies): %.2f s\n", nrow(mv), length(unique(mv$study)), t3))
t4 <- system.time(m3 <- rma.mv(yi, vi, random = ~ 1 | study/es_id, data = mv))[["elapsed"]]
cat(sprintf("three-level REML only: %.3f s\n", t4))
print(c(sigma2 = m3$sigma2, beta = c(m3$beta)))
