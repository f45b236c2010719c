# One R anchor of bench/side-by-side.sh, in its own R process: load the data (not timed), then time the call only.
#   Rscript bench/side-by-side/anchors.R ROW DIR [PERMUTATIONS]
# Prints "SECONDS <elapsed>" and one line of the key figure (so both sides can be checked by eye).
args <- commandArgs(trailingOnly = TRUE)
row <- args[1]; dir <- args[2]; perms <- if (length(args) > 2) as.integer(args[3]) else 1000L
suppressPackageStartupMessages({ library(data.table) })
setDTthreads(2)
irt <- function() as.matrix(fread(file.path(dir, "irt.csv")))
timed <- function(expr) {
  t <- system.time(res <- expr)[["elapsed"]]
  cat(sprintf("SECONDS %.3f\n", t))
  res
}
mirt_flow <- function(x, itemtype, se) {
  suppressPackageStartupMessages(library(mirt))
  timed({
    fit <- if (se) mirt(x, 1, itemtype, SE = TRUE, SE.type = "Oakes", verbose = FALSE)
           else mirt(x, 1, itemtype, verbose = FALSE)
    th <- fscores(fit, method = "EAP", full.scores.SE = TRUE)
    fi <- itemfit(fit)
    list(fit = fit, th = th, fi = fi)
  }) -> r
  cat(sprintf("FIGURE logLik %.4f; item 1 a1 %.4f\n", logLik(r$fit), coef(r$fit)[[1]][1, "a1"]))
  if (se) cat(sprintf("FIGURE SE(a1, item 1) %.5f\n", coef(r$fit, printSE = TRUE)[[1]]["SE", "a1"]))
}
switch(row,
  grm_se     = mirt_flow(irt(), "graded", TRUE),
  grm_nose   = mirt_flow(irt(), "graded", FALSE),
  gpcm_se    = mirt_flow(irt(), "gpcm", TRUE),
  gpcm_nose  = mirt_flow(irt(), "gpcm", FALSE),
  pcm_se     = mirt_flow(irt(), "Rasch", TRUE),
  pcm_nose   = mirt_flow(irt(), "Rasch", FALSE),
  rsm_cml = {
    suppressPackageStartupMessages(library(psychotools)); x <- irt() - 1L
    fit <- timed(rsmodel(x)); cat(sprintf("FIGURE logLik %.4f\n", as.numeric(logLik(fit))))
  },
  pcm_cml = {
    suppressPackageStartupMessages(library(psychotools)); x <- irt() - 1L
    fit <- timed(pcmodel(x)); cat(sprintf("FIGURE logLik %.4f\n", as.numeric(logLik(fit))))
  },
  rsm_erm = {
    suppressPackageStartupMessages(library(eRm)); x <- irt() - 1L
    fit <- timed(RSM(x, se = TRUE)); cat(sprintf("FIGURE logLik %.4f\n", fit$loglik))
  },
  alpha = {
    suppressPackageStartupMessages(library(psych)); x <- irt()
    a <- timed(psych::alpha(x, warnings = FALSE)); cat(sprintf("FIGURE alpha %.6f\n", a$total$raw_alpha))
  },
  alpha_boot = {
    suppressPackageStartupMessages(library(psych)); x <- irt(); set.seed(1)
    a <- timed(psych::alpha(x, n.iter = 1000, warnings = FALSE))
    cat(sprintf("FIGURE alpha %.6f; bootstrap 95%% %s\n", a$total$raw_alpha, paste(sprintf("%.4f", a$boot.ci[c(1, 3)]), collapse = "-")))
  },
  polychoric = {
    suppressPackageStartupMessages(library(psych)); x <- irt()
    p <- timed(psych::polychoric(x)); cat(sprintf("FIGURE rho[1,2] %.6f\n", p$rho[1, 2]))
  },
  meta_reml = {
    suppressPackageStartupMessages(library(metafor))
    d <- escalc("ZCOR", ri = r, ni = n, data = read.csv(file.path(dir, "studies.csv")))
    f <- timed({ f <- rma(yi, vi, data = d); confint(f); f }); cat(sprintf("FIGURE mu %.6f tau2 %.6f\n", f$b[1], f$tau2))
  },
  meta_perm = {
    suppressPackageStartupMessages(library(metafor))
    d <- escalc("ZCOR", ri = r, ni = n, data = read.csv(file.path(dir, "studies.csv"))); set.seed(1)
    p <- timed({ f <- rma(yi, vi, mods = ~ rater + measure + timing + ratio, data = d); permutest(f, iter = perms, progbar = FALSE) })
    cat(sprintf("FIGURE QM p (permutation) %.4f\n", p$QMp))
  },
  load = {
    n <- timed({
      d <- fread(file.path(dir, "load.csv"), na.strings = c("", "NA")); x <- as.matrix(d)
      stopifnot(sum(!is.na(x) & (x < 1 | x > 5 | x != round(x))) == 0); nrow(d)
    }); cat(sprintf("FIGURE rows %d\n", n))
  },
  stop("unknown row ", row))
