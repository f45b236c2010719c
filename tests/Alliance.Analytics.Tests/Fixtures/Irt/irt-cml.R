# Fixture for the Rasch-family CML tests: eRm and psychotools on psychotools' VerbalAggression data.
# Run from this folder: Rscript irt-cml.R   (writes verbal-aggression.csv, irt-cml.json)
suppressMessages({library(eRm); library(psychotools); library(jsonlite)})
data("VerbalAggression", package = "psychotools")
resp <- as.data.frame(unclass(VerbalAggression$resp))
resp$gender <- as.character(VerbalAggression$gender)
write.csv(resp, "verbal-aggression.csv", row.names = FALSE, quote = FALSE)
X6 <- as.matrix(resp[, 1:6])
X24 <- as.matrix(resp[, 1:24])
# deterministic missing values for the missing-pattern test
X24na <- X24
for (i in seq_len(nrow(X24na))) for (j in seq_len(ncol(X24na))) if ((i * 7 + j * 3) %% 13 == 0) X24na[i, j] <- NA

out <- list(versions = list(R = R.version.string, eRm = as.character(packageVersion("eRm")),
                            psychotools = as.character(packageVersion("psychotools"))))
thr <- function(m) { t <- thresholds(m); list(table = unname(as.matrix(t$threshtable[[1]])), se = unname(t$se.thresh)) }

rsm <- RSM(X6); pcm <- PCM(X6)
out$rsm6 <- c(list(loglik = rsm$loglik, npar = rsm$npar, etapar = unname(rsm$etapar), se_eta = unname(rsm$se.eta),
                   betapar = unname(rsm$betapar), se_beta = unname(rsm$se.beta)), thr(rsm))
out$pcm6 <- c(list(loglik = pcm$loglik, npar = pcm$npar, betapar = unname(pcm$betapar), se_beta = unname(pcm$se.beta)), thr(pcm))
ps_r <- rsmodel(X6); ps_p <- pcmodel(X6)
out$psychotools6 <- list(rsm_loglik = as.numeric(logLik(ps_r)), rsm_coef = unname(coef(ps_r)), rsm_se = unname(sqrt(diag(vcov(ps_r)))),
  pcm_loglik = as.numeric(logLik(ps_p)), pcm_threshpar = unname(coef(threshpar(ps_p))), pcm_itempar = unname(coef(itempar(ps_p))),
  rsm_threshpar = unname(coef(threshpar(ps_r))), rsm_itempar = unname(coef(itempar(ps_r))))

pp <- person.parameter(rsm)
tt <- pp$theta.table
# ML person parameters by raw score (non-interpolated rows only)
rs <- rowSums(X6)
keep <- !tt$Interpolated
out$rsm6_persons <- list(raw = unname(rs[keep]), theta = unname(tt[keep, "Person Parameter"]), se = unname(unlist(pp$se.theta)[match(rownames(tt)[keep], gsub("NAgroup[0-9]+.", "", names(unlist(pp$se.theta))))]))
out$rsm6_seprel <- SepRel(pp)$sep.rel
fi <- itemfit(pp)
out$rsm6_itemfit <- list(outfit = unname(fi$i.outfitMSQ), infit = unname(fi$i.infitMSQ), outfit_z = unname(fi$i.outfitZ), infit_z = unname(fi$i.infitZ))
fp <- itemfit(person.parameter(pcm))
out$pcm6_itemfit <- list(outfit = unname(fp$i.outfitMSQ), infit = unname(fp$i.infitMSQ), outfit_z = unname(fp$i.outfitZ), infit_z = unname(fp$i.infitZ))
pf <- personfit(pp)
out$rsm6_personfit <- list(rows = unname(match(names(pf$p.outfitMSQ), rownames(X6))), outfit = unname(pf$p.outfitMSQ), infit = unname(pf$p.infitMSQ))
lr <- LRtest(rsm, splitcr = "median")
out$rsm6_andersen_median <- list(lr = lr$LR, df = lr$df, p = lr$pvalue)
lrp <- LRtest(pcm, splitcr = "median")
out$pcm6_andersen_median <- list(lr = lrp$LR, df = lrp$df, p = lrp$pvalue)
lrg <- LRtest(pcm, splitcr = resp$gender)
out$pcm6_andersen_gender <- list(lr = lrg$LR, df = lrg$df, p = lrg$pvalue)

# DIF of item 1 by gender, as a likelihood ratio: item 1 split into one virtual item per gender (eRm handles the NA pattern).
Xs <- cbind(ifelse(resp$gender == "female", X6[, 1], NA), ifelse(resp$gender == "male", X6[, 1], NA), X6[, 2:6])
pcm_split <- PCM(Xs)
out$pcm6_dif_item1 <- list(loglik_split = pcm_split$loglik, loglik_common = pcm$loglik, lr = 2 * (pcm_split$loglik - pcm$loglik))

# 24 items with missing values (several NA patterns)
pcm24 <- PCM(X24na); rsm24 <- RSM(X24na)
out$pcm24na <- c(list(loglik = pcm24$loglik, npar = pcm24$npar), thr(pcm24))
out$rsm24na <- c(list(loglik = rsm24$loglik, npar = rsm24$npar), thr(rsm24))
ps24 <- pcmodel(X24na, reltol = 1e-14)  # tight tolerance: eRm's nlm stops earlier with 47 parameters
out$pcm24na_psychotools <- list(loglik = as.numeric(logLik(ps24)), threshpar = unname(coef(threshpar(ps24))), itempar = unname(coef(itempar(ps24))))
out$na_rule <- "X[i, j] is NA when (i * 7 + j * 3) %% 13 == 0 (1-based i, j)"
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE), "irt-cml.json")
