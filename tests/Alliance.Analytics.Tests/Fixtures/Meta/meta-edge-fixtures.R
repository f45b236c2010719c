# Reference values for edge cases and for statistics metafor computes but does not print (meta-edge.json), made with
# metafor from the study tables meta-fixtures.R writes. Run from this directory:  Rscript meta-edge-fixtures.R
# Kept apart from meta-fixtures.R so that adding a case does not mean re-running the slow exact permutation tests.
suppressPackageStartupMessages({ library(metafor); library(jsonlite) })
options(warn = 1)
versions <- list(R = R.version.string, metafor = as.character(packageVersion("metafor")),
                 jsonlite = as.character(packageVersion("jsonlite")), made = "meta-edge-fixtures.R")
num <- function(x) { x <- as.numeric(x); x[!is.finite(x)] <- NA; x }
out <- list(versions = versions)

bcg <- read.csv("bcg.csv")
# Knapp-Hartung with a single study: rma.uni sets test = "z" (warning 'Setting argument test="z" since k=1').
k1 <- suppressWarnings(rma(yi, vi, data = bcg, subset = 1, test = "knha"))
out$knha_k1 <- list(test = k1$test, beta = num(k1$beta), se = num(k1$se), zval = num(k1$zval), pval = num(k1$pval),
                    ci_lb = num(k1$ci.lb), ci_ub = num(k1$ci.ub), tau2 = num(k1$tau2))
# Cumulative analysis under knha: its first row (one study) is that z fit.
cuk <- suppressWarnings(cumul(rma(yi, vi, data = bcg, test = "knha"), order = bcg$year))
cdf <- as.data.frame(cuk)
out$cumul_year_knha <- list(columns = names(cdf), estimate = num(cdf$estimate), se = num(cdf$se), ci_lb = num(cdf$ci.lb),
                            ci_ub = num(cdf$ci.ub), tau2 = num(cdf$tau2))
# Subgroups by allocation under knha with one 'alternate' study dropped (that level keeps a single study):
# a model per level, then the equal-effects test of the level estimates (Q between).
drop <- which(bcg$alloc == "alternate")[1]
bcg1 <- bcg[-drop, ]
grp <- sort(unique(bcg1$alloc))
subk <- lapply(grp, function(g) suppressWarnings(rma(yi, vi, data = bcg1, subset = alloc == g, test = "knha")))
qbk <- rma(sapply(subk, function(s) c(s$beta)), sei = sapply(subk, function(s) s$se), method = "EE")
out$subgroups_alloc_knha_single <- list(dropped = bcg$study[drop], groups = grp, k = sapply(subk, function(s) s$k),
                                        beta = num(sapply(subk, function(s) c(s$beta))), se = num(sapply(subk, function(s) s$se)),
                                        Qb = num(qbk$QE), Qbp = num(qbk$QEp))
# predict.rma of the meta-regression on absolute latitude, z and knha tests.
for (tst in c("z", "knha")) {
  m <- rma(yi, vi, mods = ~ ablat, data = bcg, test = tst)
  pr <- predict(m, newmods = c(10, 33.5, 55))
  out[[paste0("predict_ablat_", tst)]] <- list(ablat = c(10, 33.5, 55), pred = num(pr$pred), se = num(pr$se), ci_lb = num(pr$ci.lb),
                                               ci_ub = num(pr$ci.ub), pi_lb = num(pr$pi.lb), pi_ub = num(pr$pi.ub))
}

# I2 of the three-level model (not printed by metafor): the formula of the metafor website, "I^2 for multilevel and
# multivariate models": I2 = 100 sum(sigma2) / (sum(sigma2) + (k - p) / tr(P)), P = W - W X (X'WX)^-1 X'W, W = diag(1/v);
# the share of each level replaces sum(sigma2) in the numerator by that level's sigma2.
ko <- read.csv("konstantopoulos2011.csv")
i2_ml <- function(res) {
  W <- diag(1 / res$vi); X <- model.matrix(res)
  P <- W - W %*% X %*% solve(t(X) %*% W %*% X) %*% t(X) %*% W
  typical <- (res$k - res$p) / sum(diag(P))
  num(100 * c(sum(res$sigma2), res$sigma2) / (sum(res$sigma2) + typical))
}
m3 <- rma.mv(yi, vi, random = ~ 1 | district/school, data = ko)
m3y <- rma.mv(yi, vi, mods = ~ I(year - 1990), random = ~ 1 | district/school, data = ko)
out$three_level_i2 <- list(total_district_school = i2_ml(m3), sigma2 = num(m3$sigma2))
out$three_level_year_i2 <- list(total_district_school = i2_ml(m3y), sigma2 = num(m3y$sigma2))

writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, na = "null", pretty = TRUE), "meta-edge.json")
cat("done\n")
