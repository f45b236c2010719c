# Reference values for the meta-analysis tests (tests/Alliance.Analytics.Tests/Meta), made with metafor.
# Run from this directory:  Rscript meta-fixtures.R
# Writes the study tables (*.csv) and one JSON of metafor results per data set. CI never runs R.
#
# Tolerances: metafor's default Fisher scoring (threshold 1e-5) is reproduced step for step by the C# code, so
# rma.uni fits use metafor's defaults. Root searches (Paule-Mandel, Q-profile intervals, profile-likelihood
# intervals) use uniroot, whose default tolerance (.Machine$double.eps^0.25 = 1.2e-4) is looser than the tests;
# those calls are given tol = 1e-10 (1e-8 for rma.mv profiles) so the fixture holds the root itself.
suppressPackageStartupMessages({ library(metafor); library(jsonlite); library(clubSandwich) })
options(warn = 1)
tight <- list(tol = 1e-10)

versions <- list(R = R.version.string, metafor = as.character(packageVersion("metafor")),
                 metadat = as.character(packageVersion("metadat")), clubSandwich = as.character(packageVersion("clubSandwich")),
                 jsonlite = as.character(packageVersion("jsonlite")), made = "meta-fixtures.R")

num <- function(x) { x <- as.numeric(x); x[!is.finite(x)] <- NA; x }

fit_list <- function(res, ci = TRUE) {
  o <- list(method = res$method, test = res$test, k = res$k, p = res$p,
            beta = num(res$beta), se = num(res$se), zval = num(res$zval), pval = num(res$pval),
            ci_lb = num(res$ci.lb), ci_ub = num(res$ci.ub), vb = num(res$vb),
            tau2 = num(res$tau2), se_tau2 = num(res$se.tau2), I2 = num(res$I2), H2 = num(res$H2),
            QE = num(res$QE), QEp = num(res$QEp), QM = num(res$QM), QMp = num(res$QMp),
            QMdf = num(res$QMdf), ddf = num(res$ddf), R2 = num(if (is.null(res$R2)) NA else res$R2),
            vt = num(res$vt), ll_ml = num(res$fit.stats["ll", "ML"]), ll_reml = num(res$fit.stats["ll", "REML"]),
            iter = num(if (is.null(res$iter)) NA else res$iter), weights = num(weights(res)))
  if (res$int.only) {
    pr <- predict(res)
    o$pi_lb <- num(pr$pi.lb); o$pi_ub <- num(pr$pi.ub)
  }
  if (ci && !is.element(res$method, c("EE", "FE"))) {
    cf <- confint(res, control = tight)$random
    o$tau2_ci <- num(cf["tau^2", 2:3]); o$I2_ci <- num(cf["I^2(%)", 2:3]); o$H2_ci <- num(cf["H^2", 2:3])
  }
  o
}
methods <- c("EE", "DL", "HE", "HS", "SJ", "ML", "REML", "PM", "EB")
all_methods <- function(yi, vi, data) {
  out <- list()
  for (m in methods) {
    res <- rma(yi, vi, data = data, method = m, control = tight)
    out[[m]] <- fit_list(res)
  }
  out
}

write_json_file <- function(x, file) writeLines(toJSON(x, auto_unbox = TRUE, digits = NA, na = "null", pretty = TRUE), file)

# ---------------------------------------------------------------- dat.bcg (Colditz et al. 1994)
bcg <- escalc(measure = "RR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = dat.bcg)
bcg$study <- paste(bcg$author, bcg$year)
write.csv(data.frame(study = bcg$study, trial = bcg$trial, year = bcg$year, yi = sprintf("%.17g", bcg$yi),
                     vi = sprintf("%.17g", bcg$vi), ablat = bcg$ablat, alloc = bcg$alloc),
          "bcg.csv", row.names = FALSE, quote = TRUE)
bcg_out <- list(versions = versions, methods = all_methods(yi, vi, bcg))
res <- rma(yi, vi, data = bcg)
bcg_out$knha <- fit_list(rma(yi, vi, data = bcg, test = "knha"))
bcg_out$mods_ablat <- fit_list(rma(yi, vi, mods = ~ ablat, data = bcg), ci = FALSE)
bcg_out$mods_ablat_knha <- fit_list(rma(yi, vi, mods = ~ ablat, data = bcg, test = "knha"), ci = FALSE)
bcg_out$mods_ablat_dl <- fit_list(rma(yi, vi, mods = ~ ablat, data = bcg, method = "DL"), ci = TRUE)
bcg_out$mods_alloc_ablat <- fit_list(rma(yi, vi, mods = ~ factor(alloc) + ablat, data = bcg), ci = FALSE)
bcg_out$mods_alloc_ablat_names <- rownames(rma(yi, vi, mods = ~ factor(alloc) + ablat, data = bcg)$beta)
for (m in c("DL", "HE", "HS", "SJ", "ML", "PM", "EB", "EE"))
  bcg_out[[paste0("mods_ablat_year_", m)]] <- fit_list(rma(yi, vi, mods = ~ ablat + year, data = bcg, method = m, control = tight), ci = m != "EE")
bcg_out$mods_ablat_year_REML <- fit_list(rma(yi, vi, mods = ~ ablat + year, data = bcg), ci = TRUE)
# Exact permutation tests: a binary moderator (1716 distinct permutations) and sign flips of the intercept-only model (2^13).
bcg$random <- as.numeric(bcg$alloc == "random")
pm <- rma(yi, vi, mods = ~ random, data = bcg)
pt1 <- permutest(pm, exact = TRUE)
bcg_out$permutation_random <- list(QM = num(pm$QM), QMp = num(pt1$QMp), pval = num(pt1$pval), iter = 1716)
pt0 <- permutest(res, exact = TRUE)
bcg_out$permutation_intercept <- list(zval = num(res$zval), pval = num(pt0$pval), QMp = num(pt0$QMp))
# Trim and fill, leave one out, influence, cumulative, rank correlation, Egger
tf <- trimfill(res)
bcg_out$trimfill <- list(k0 = tf$k0, side = tf$side, se_k0 = num(tf$se.k0), beta = num(tf$beta), se = num(tf$se),
                         ci_lb = num(tf$ci.lb), ci_ub = num(tf$ci.ub), tau2 = num(tf$tau2), yi = num(tf$yi), vi = num(tf$vi),
                         fill = tf$fill)
l1 <- leave1out(res)
bcg_out$leave1out <- lapply(as.data.frame(l1)[, c("estimate", "se", "zval", "pval", "ci.lb", "ci.ub", "Q", "Qp", "tau2", "I2", "H2")], num)
inf <- influence(res)
bcg_out$influence <- c(lapply(as.data.frame(inf$inf)[, c("rstudent", "dffits", "cook.d", "cov.r", "tau2.del", "QE.del", "hat", "weight")], num),
                       list(dfbs = num(inf$dfbs$intrcpt)))
rm1 <- rma(yi, vi, mods = ~ ablat, data = bcg)
inf2 <- influence(rm1)
bcg_out$influence_ablat <- c(lapply(as.data.frame(inf2$inf)[, c("rstudent", "dffits", "cook.d", "cov.r", "tau2.del", "QE.del", "hat", "weight")], num),
                             list(dfbs_intrcpt = num(inf2$dfbs$intrcpt), dfbs_ablat = num(inf2$dfbs$ablat)))
cu <- cumul(res, order = bcg$year)
bcg_out$cumul_year <- c(lapply(as.data.frame(cu)[, c("estimate", "se", "zval", "pvals", "ci.lb", "ci.ub", "Q", "Qp", "tau2", "I2", "H2")], num),
                        list(order = order(bcg$year)))
rk <- ranktest(res)
bcg_out$ranktest <- list(tau = num(rk$tau), pval = num(rk$pval))
eg <- regtest(res); egl <- regtest(res, model = "lm")
bcg_out$regtest <- list(zval = num(eg$zval), pval = num(eg$pval), est = num(eg$est), ci_lb = num(eg$ci.lb), ci_ub = num(eg$ci.ub))
bcg_out$regtest_lm <- list(tval = num(egl$zval), pval = num(egl$pval), df = num(egl$ddf), est = num(egl$est), ci_lb = num(egl$ci.lb), ci_ub = num(egl$ci.ub))
# Subgroups by allocation: a random-effects model per group, then the equal-effects test of the group estimates (Q between).
grp <- sort(unique(bcg$alloc))
sub <- lapply(grp, function(g) rma(yi, vi, data = bcg, subset = alloc == g))
qb <- rma(sapply(sub, function(s) c(s$beta)), sei = sapply(sub, function(s) s$se), method = "EE")
bcg_out$subgroups_alloc <- list(groups = grp, beta = num(sapply(sub, function(s) c(s$beta))), se = num(sapply(sub, function(s) s$se)),
                                tau2 = num(sapply(sub, function(s) s$tau2)), k = sapply(sub, function(s) s$k),
                                Qb = num(qb$QE), Qbp = num(qb$QEp))
# PET-PEESE by weighted least squares (Stanley & Doucouliagos 2014)
bcg$sei <- sqrt(bcg$vi)
pet <- summary(lm(yi ~ sei, weights = 1/vi, data = bcg)); peese <- summary(lm(yi ~ vi, weights = 1/vi, data = bcg))
petpeese <- function(s) list(est = num(coef(s)[1, 1]), se = num(coef(s)[1, 2]), tval = num(coef(s)[1, 3]), pval = num(coef(s)[1, 4]),
                             df = s$df[2], ci_lb = num(coef(s)[1, 1] - qt(.975, s$df[2]) * coef(s)[1, 2]),
                             ci_ub = num(coef(s)[1, 1] + qt(.975, s$df[2]) * coef(s)[1, 2]), slope = num(coef(s)[2, 1]))
bcg_out$pet <- petpeese(pet); bcg_out$peese <- petpeese(peese)
write_json_file(bcg_out, "bcg.json")

# ---------------------------------------------------------------- dat.raudenbush1985 (Raudenbush 2009, Table 16.3)
rb <- dat.raudenbush1985
write.csv(data.frame(study = rb$study, author = rb$author, year = rb$year, weeks = rb$weeks, setting = rb$setting, tester = rb$tester,
                     yi = sprintf("%.17g", rb$yi), vi = sprintf("%.17g", rb$vi)), "raudenbush1985.csv", row.names = FALSE)
rb_out <- list(versions = versions, methods = all_methods(yi, vi, rb))
rb_out$mods_weeks_tester <- fit_list(rma(yi, vi, mods = ~ log(weeks + 1) + tester, data = transform(rb, logweeks = log(weeks + 1))), ci = TRUE)
rb$logweeks <- log(rb$weeks + 1)
rb_out$mods_logweeks <- fit_list(rma(yi, vi, mods = ~ logweeks, data = rb), ci = TRUE)
write_json_file(rb_out, "raudenbush1985.json")

# ---------------------------------------------------------------- dat.molloy2014 (conscientiousness and medication adherence)
mo <- dat.molloy2014
mo$study <- paste(mo$authors, mo$year)
write.csv(data.frame(study = mo$study, year = mo$year, r = mo$ri, n = mo$ni, controls = mo$controls, design = mo$design,
                     a_measure = mo$a_measure, c_measure = mo$c_measure, meanage = mo$meanage, quality = mo$quality),
          "molloy2014.csv", row.names = FALSE)
z <- escalc(measure = "ZCOR", ri = ri, ni = ni, data = mo)
rr <- escalc(measure = "COR", ri = ri, ni = ni, data = mo)
mo_out <- list(versions = versions, zcor = list(yi = num(z$yi), vi = num(z$vi)), cor = list(yi = num(rr$yi), vi = num(rr$vi)))
mo_out$methods <- all_methods(yi, vi, z)
res <- rma(yi, vi, data = z)
pr <- predict(res, transf = transf.ztor)
mo_out$reml_r <- list(pred = num(pr$pred), ci_lb = num(pr$ci.lb), ci_ub = num(pr$ci.ub), pi_lb = num(pr$pi.lb), pi_ub = num(pr$pi.ub))
mo_out$knha <- fit_list(rma(yi, vi, data = z, test = "knha"))
mo_out$cor_reml <- fit_list(rma(yi, vi, data = rr))
eg <- regtest(res); egl <- regtest(res, model = "lm")
mo_out$regtest <- list(zval = num(eg$zval), pval = num(eg$pval), est = num(eg$est), ci_lb = num(eg$ci.lb), ci_ub = num(eg$ci.ub))
mo_out$regtest_lm <- list(tval = num(egl$zval), pval = num(egl$pval), df = num(egl$ddf), est = num(egl$est))
rk <- ranktest(res)
mo_out$ranktest <- list(tau = num(rk$tau), pval = num(rk$pval))
tf <- trimfill(res)
mo_out$trimfill <- list(k0 = tf$k0, side = tf$side, beta = num(tf$beta), se = num(tf$se), ci_lb = num(tf$ci.lb), ci_ub = num(tf$ci.ub),
                        tau2 = num(tf$tau2), yi = num(tf$yi), vi = num(tf$vi), fill = tf$fill)
mo_out$mods_design_meanage <- fit_list(rma(yi, vi, mods = ~ factor(design) + meanage, data = z), ci = TRUE)
mo_out$mods_design_meanage_knha <- fit_list(rma(yi, vi, mods = ~ factor(design) + meanage, data = z, test = "knha"), ci = FALSE)
l1 <- leave1out(res)
mo_out$leave1out <- lapply(as.data.frame(l1)[, c("estimate", "se", "zval", "pval", "ci.lb", "ci.ub", "Q", "Qp", "tau2", "I2", "H2")], num)
inf <- influence(res)
mo_out$influence <- c(lapply(as.data.frame(inf$inf)[, c("rstudent", "dffits", "cook.d", "cov.r", "tau2.del", "QE.del", "hat", "weight")], num),
                      list(dfbs = num(inf$dfbs$intrcpt)))
write_json_file(mo_out, "molloy2014.json")

# ---------------------------------------------------------------- dat.egger2001 (magnesium, ISIS-4 excluded)
eg1 <- escalc(measure = "OR", ai = ai, n1i = n1i, ci = ci, n2i = n2i, data = dat.egger2001)
eg1 <- eg1[eg1$study != "ISIS-4", ]
write.csv(data.frame(study = eg1$study, year = eg1$year, yi = sprintf("%.17g", eg1$yi), vi = sprintf("%.17g", eg1$vi)),
          "egger2001.csv", row.names = FALSE)
res <- rma(yi, vi, data = eg1)
e1 <- regtest(res); e2 <- regtest(res, model = "lm")
rk <- ranktest(res); tf <- trimfill(res)
eg1$sei <- sqrt(eg1$vi)
pet <- summary(lm(yi ~ sei, weights = 1/vi, data = eg1)); peese <- summary(lm(yi ~ vi, weights = 1/vi, data = eg1))
write_json_file(list(versions = versions, reml = fit_list(res),
                     regtest = list(zval = num(e1$zval), pval = num(e1$pval), est = num(e1$est)),
                     regtest_lm = list(tval = num(e2$zval), pval = num(e2$pval), df = num(e2$ddf), est = num(e2$est)),
                     ranktest = list(tau = num(rk$tau), pval = num(rk$pval)),
                     trimfill = list(k0 = tf$k0, side = tf$side, beta = num(tf$beta), se = num(tf$se), tau2 = num(tf$tau2)),
                     pet = petpeese(pet), peese = petpeese(peese)), "egger2001.json")

# ---------------------------------------------------------------- dat.konstantopoulos2011 (schools within districts)
ko <- dat.konstantopoulos2011
write.csv(data.frame(district = ko$district, school = ko$school, study = ko$study, year = ko$year,
                     yi = sprintf("%.17g", ko$yi), vi = sprintf("%.17g", ko$vi)), "konstantopoulos2011.csv", row.names = FALSE)
mv_list <- function(res) {
  pc <- confint(res, control = list(tol = 1e-8))
  o <- list(beta = num(res$beta), se = num(res$se), zval = num(res$zval), pval = num(res$pval), ci_lb = num(res$ci.lb), ci_ub = num(res$ci.ub),
            sigma2 = num(res$sigma2), QE = num(res$QE), QEp = num(res$QEp), QM = num(res$QM), QMp = num(res$QMp),
            ll_reml = num(logLik(res)), k = res$k,
            sigma2_1_ci = num(pc[[1]]$random[1, 2:3]), sigma2_2_ci = num(pc[[2]]$random[1, 2:3]))
  if (res$int.only) { pr <- predict(res); o$pi_lb <- num(pr$pi.lb); o$pi_ub <- num(pr$pi.ub) }
  o
}
mvc <- list()  # nlminb's defaults already give the optimum to ~1e-13 here; tighter ones break confint's profile refits
m3 <- rma.mv(yi, vi, random = ~ 1 | district/school, data = ko, control = mvc)
m3y <- rma.mv(yi, vi, mods = ~ I(year - 1990), random = ~ 1 | district/school, data = ko, control = mvc)
m3k <- rma.mv(yi, vi, random = ~ 1 | district/school, data = ko, test = "t", control = mvc)
cr2 <- function(res) {
  rb <- robust(res, cluster = ko$district, clubSandwich = TRUE)
  list(beta = num(rb$beta), se = num(rb$se), tval = num(rb$zval), df = num(rb$ddf), pval = num(rb$pval),
       ci_lb = num(rb$ci.lb), ci_ub = num(rb$ci.ub), vb = num(rb$vb))
}
write_json_file(list(versions = versions, three_level = mv_list(m3), three_level_year = mv_list(m3y),
                     three_level_t = list(se = num(m3k$se), ci_lb = num(m3k$ci.lb), ci_ub = num(m3k$ci.ub), ddf = num(m3k$ddf),
                                          pi_lb = num(predict(m3k)$pi.lb), pi_ub = num(predict(m3k)$pi.ub)),
                     cr2 = cr2(m3), cr2_year = cr2(m3y)), "konstantopoulos2011.json")
cat("done\n")
