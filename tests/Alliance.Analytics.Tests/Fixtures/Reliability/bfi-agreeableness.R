# Fixture: psych's reliability figures for the bfi Agreeableness items (A1-A5, A1 reversed as 7 - x).
# Run from this directory: Rscript bfi-agreeableness.R  (writes bfi-agreeableness.csv and bfi-agreeableness.json)
# The CSV holds the items as shipped (A1 NOT reversed; the tests reverse it through the library).
suppressMessages({ library(psych); library(psychTools); library(jsonlite) })
options(warn = -1)
raw <- bfi[, c("A1", "A2", "A3", "A4", "A5")]
write.csv(raw, "bfi-agreeableness.csv", row.names = FALSE, na = "")
A <- raw; A$A1 <- 7 - A$A1

a <- alpha(A)                       # pairwise (psych default)
al <- alpha(na.omit(A))             # listwise
s <- splitHalf(A)
R <- cov2cor(cov(A, use = "pairwise"))      # the matrix alpha and splitHalf use
g <- suppressMessages(guttman(R))
cmb <- combn(5, 2)
all.splits <- apply(cmb, 2, function(o) { AB <- cbind(1:5 %in% o, !(1:5 %in% o)) + 0; M <- t(AB) %*% R %*% AB; 4 * M[1, 2] / sum(M) })
o1 <- suppressMessages(omega(A, nfactors = 1, plot = FALSE))
o1ml <- suppressMessages(omega(A, nfactors = 1, fm = "ml", plot = FALSE))
p <- polychoric(A)
ap <- alpha(p$rho)
op <- suppressMessages(omega(p$rho, nfactors = 1, plot = FALSE))
pl <- polychoric(na.omit(A))
# psych's own bootstrap (its RNG differs from ours, so the comparison is of distributions, within Monte Carlo error).
set.seed(1); bl <- alpha(na.omit(A), n.iter = 2000)
set.seed(2); bp <- alpha(A, n.iter = 1000)

# omega if deleted: omega(x[, -i], nfactors = 1)$omega.tot for each item (pairwise correlations, as omega on raw data).
omega.drop <- sapply(1:5, function(i) suppressMessages(omega(A[, -i], nfactors = 1, plot = FALSE))$omega.tot)
# SD of the sum score from the pairwise covariances, and SEM = SD_sum sqrt(1 - raw alpha).
sum.sd <- sqrt(sum(cov(A, use = "pairwise")))
sem <- sum.sd * sqrt(1 - a$total$raw_alpha)

item <- function(x) lapply(as.list(x), unname)
out <- list(
  versions = list(R = R.version.string, psych = as.character(packageVersion("psych")),
                  psychTools = as.character(packageVersion("psychTools")), GPArotation = as.character(packageVersion("GPArotation"))),
  n_rows = nrow(A), n_complete = nrow(na.omit(A)),
  pairwise = list(
    total = item(a$total),
    item_stats = lapply(a$item.stats, unname),
    alpha_drop = lapply(a$alpha.drop, unname),
    feldt = list(lower = a$feldt$lower.ci[[1]], upper = a$feldt$upper.ci[[1]]),
    response_freq = unname(a$response.freq),
    cor = unname(R), cov = unname(cov(A, use = "pairwise")), pearson_pairwise = unname(cor(A, use = "pairwise"))),
  listwise = list(total = item(al$total), item_stats = lapply(al$item.stats, unname), alpha_drop = lapply(al$alpha.drop, unname),
                  feldt = list(lower = al$feldt$lower.ci[[1]], upper = al$feldt$upper.ci[[1]])),
  split_half = list(max = s$maxrb, min = s$minrb, mean = s$meanr, alpha = s$alpha, lambda2 = s$lambda2, lambda6 = s$lambda6,
                    av_r = s$av.r, med_r = s$med.r,
                    all_splits = list(max = max(all.splits), min = min(all.splits), mean = mean(all.splits), count = length(all.splits))),
  guttman = list(lambda1 = g$lambda.1, lambda2 = g$lambda.2, lambda3 = g$lambda.3, lambda4 = g$lambda.4,
                 lambda5 = g$lambda.5, lambda6 = g$lambda.6),
  omega_minres = list(omega_total = o1$omega.tot, omega_h = o1$omega_h, alpha = o1$alpha, G6 = o1$G6,
                      loadings = unname(o1$schmid$sl[, 1]), u2 = unname(o1$schmid$sl[, "u2"])),
  omega_if_deleted = omega.drop, sum_sd = sum.sd, sem = sem,
  omega_ml = list(omega_total = o1ml$omega.tot, omega_h = o1ml$omega_h, loadings = unname(o1ml$schmid$sl[, 1])),
  bootstrap = list(listwise_sd = sd(bl$boot[, 1]), listwise_ci = unname(bl$boot.ci[c(1, 3)]), listwise_replicates = 2000,
                   pairwise_sd = sd(bp$boot[, 1]), pairwise_ci = unname(bp$boot.ci[c(1, 3)]), pairwise_replicates = 1000),
  polychoric = list(rho = unname(p$rho), tau = unname(p$tau), ordinal_alpha = ap$total$std.alpha, ordinal_omega = op$omega.tot,
                    listwise_rho = unname(pl$rho))
)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), "bfi-agreeableness.json")
