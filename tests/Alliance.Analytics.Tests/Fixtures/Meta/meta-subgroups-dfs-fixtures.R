# Reference values for subgroup analyses (common and separate tau^2) and for the degrees of freedom of the
# three-level model's t tests (dfs = "residual" vs "contain"), made with metafor from the study tables that
# meta-fixtures.R writes. Run from this directory:  Rscript meta-subgroups-dfs-fixtures.R
# Writes meta-subgroups-dfs.json. CI never runs R.
suppressPackageStartupMessages({ library(metafor); library(jsonlite); library(clubSandwich) })
options(warn = 1)
versions <- list(R = R.version.string, metafor = as.character(packageVersion("metafor")),
                 clubSandwich = as.character(packageVersion("clubSandwich")), jsonlite = as.character(packageVersion("jsonlite")), made = "meta-subgroups-dfs-fixtures.R")
num <- function(x) { x <- as.numeric(x); x[!is.finite(x)] <- NA; x }
out <- list(versions = versions)

# Subgroups. Common tau^2: the mixed-effects model rma(yi, vi, mods = ~ factor(g)) gives tau^2 and the omnibus QM
# (the between-groups test); the per-group estimates are the coefficients of the same model without an intercept,
# rma(yi, vi, mods = ~ 0 + factor(g)). Separate tau^2: a model per group, then the fixed-effect meta-regression of the
# group estimates on the group, rma(est, sei = se, mods = ~ group, method = "FE"), whose QM is Q between.
subgroups <- function(d, g, test) {
  d$g <- factor(d[[g]])
  lv <- levels(d$g)
  within <- sapply(lv, function(l) { s <- rma(yi, vi, data = d, subset = g == l, method = "EE"); c(s$QE, s$k - 1, s$QEp) })
  mix <- rma(yi, vi, mods = ~ factor(g), data = d, test = test)
  mix0 <- rma(yi, vi, mods = ~ 0 + factor(g), data = d, test = test)
  common <- list(tau2 = num(mix$tau2), se_tau2 = num(mix$se.tau2), QM = num(mix$QM), QMdf = num(mix$QMdf), QMp = num(mix$QMp),
                 QE = num(mix$QE), QEdf = mix$k - mix$p, QEp = num(mix$QEp),
                 beta = num(mix0$beta), se = num(mix0$se), zval = num(mix0$zval), pval = num(mix0$pval),
                 ci_lb = num(mix0$ci.lb), ci_ub = num(mix0$ci.ub), ddf = num(mix0$ddf))
  fits <- lapply(lv, function(l) suppressWarnings(rma(yi, vi, data = d, subset = g == l, test = test)))
  est <- sapply(fits, function(f) c(f$beta)); se <- sapply(fits, function(f) f$se)
  qb <- rma(est, sei = se, mods = ~ factor(lv), method = "FE")
  separate <- list(tau2 = num(sapply(fits, function(f) f$tau2)), I2 = num(sapply(fits, function(f) f$I2)),
                   beta = num(est), se = num(se), zval = num(sapply(fits, function(f) f$zval)), pval = num(sapply(fits, function(f) f$pval)),
                   ci_lb = num(sapply(fits, function(f) f$ci.lb)), ci_ub = num(sapply(fits, function(f) f$ci.ub)),
                   ddf = num(sapply(fits, function(f) f$ddf)), Qb = num(qb$QM), Qbdf = num(qb$QMdf), Qbp = num(qb$QMp))
  list(groups = lv, k = as.vector(table(d$g)), within_Q = num(within[1, ]), within_df = num(within[2, ]), within_p = num(within[3, ]),
       common = common, separate = separate)
}
bcg <- read.csv("bcg.csv")
out$bcg_alloc_z <- subgroups(bcg, "alloc", "z")
out$bcg_alloc_knha <- subgroups(bcg, "alloc", "knha")
mo <- read.csv("molloy2014.csv")
mo <- escalc(measure = "ZCOR", ri = r, ni = n, data = mo)
out$molloy_design_z <- subgroups(mo, "design", "z")

# Three-level model with t tests: residual df (k - p, 55 here) and containment df (clusters - p, 10 here).
ko <- read.csv("konstantopoulos2011.csv")
mv <- function(res) {
  pr <- if (res$int.only) predict(res) else NULL
  list(dfs = res$dfs, beta = num(res$beta), se = num(res$se), zval = num(res$zval), pval = num(res$pval), ddf = num(res$ddf),
       ci_lb = num(res$ci.lb), ci_ub = num(res$ci.ub), QM = num(res$QM), QMdf = num(res$QMdf), QMp = num(res$QMp),
       sigma2 = num(res$sigma2), pi_lb = if (is.null(pr)) NULL else num(pr$pi.lb), pi_ub = if (is.null(pr)) NULL else num(pr$pi.ub))
}
for (dfs in c("residual", "contain")) {
  out[[paste0("three_level_t_", dfs)]] <- mv(rma.mv(yi, vi, random = ~ 1 | district/school, data = ko, test = "t", dfs = dfs))
  out[[paste0("three_level_year_t_", dfs)]] <- mv(rma.mv(yi, vi, mods = ~ year, random = ~ 1 | district/school, data = ko, test = "t", dfs = dfs))
}
# CR2 with the HTZ Wald test of several coefficients (clubSandwich): year and school (its number within the district,
# a moderator that varies within clusters) tested jointly, and year alone (q = 1: F = t^2 on Satterthwaite df).
htz <- function(res, terms) {
  w <- Wald_test(res, constraints = constrain_zero(terms), vcov = "CR2", cluster = ko$district, test = "HTZ")
  rb <- robust(res, cluster = ko$district, clubSandwich = TRUE)
  list(terms = rownames(res$beta)[terms], Fstat = num(w$Fstat), delta = num(w$delta), df_num = num(w$df_num), df_denom = num(w$df_denom),
       p_val = num(w$p_val), se = num(rb$se), df = num(rb$ddf))
}
m2 <- rma.mv(yi, vi, mods = ~ year + school, random = ~ 1 | district/school, data = ko)
out$htz_year_school <- htz(m2, 2:3)
out$htz_year <- htz(rma.mv(yi, vi, mods = ~ year, random = ~ 1 | district/school, data = ko), 2)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, na = "null", pretty = TRUE), "meta-subgroups-dfs.json")
cat("done\n")
