# Fixture: a simulated WAI-SR-like data set (12 items, 5 points, bifactor structure: a general alliance factor and
# Task / Goal / Bond group factors, ceiling-skewed, 3% missing at random) and psych's figures for it.
# Item wording is copyrighted and never shipped: items are named wai1 ... wai12 (WAI-SR item numbers).
# Run from this directory: Rscript wai-sr-simulated.R  (writes wai-sr-simulated.csv and wai-sr-simulated.json)
suppressMessages({ library(psych); library(polycor); library(jsonlite) })
options(warn = -1)
set.seed(20261126)
n <- 600
task <- c(1, 2, 10, 12); goal <- c(4, 6, 8, 11); bond <- c(3, 5, 7, 9)
group <- integer(12); group[task] <- 1; group[goal] <- 2; group[bond] <- 3
g <- rnorm(n); s <- matrix(rnorm(n * 3), n, 3)
lg <- c(0.70, 0.65, 0.55, 0.68, 0.60, 0.72, 0.50, 0.66, 0.58, 0.62, 0.64, 0.69)
ls <- c(0.35, 0.40, 0.50, 0.30, 0.45, 0.35, 0.55, 0.40, 0.45, 0.30, 0.38, 0.33)
x <- matrix(NA_real_, n, 12)
for (j in 1:12) {
  y <- lg[j] * g + ls[j] * s[, group[j]] + sqrt(1 - lg[j]^2 - ls[j]^2) * rnorm(n)
  cuts <- c(-Inf, -1.9, -1.1, -0.25, 0.55 + 0.05 * (j %% 3), Inf)
  x[, j] <- as.integer(cut(y, cuts))
}
x[matrix(runif(n * 12) < 0.03, n, 12)] <- NA
colnames(x) <- paste0("wai", 1:12)
write.csv(x, "wai-sr-simulated.csv", row.names = FALSE, na = "")
X <- as.data.frame(x)

scale_figures <- function(d) {
  a <- alpha(d)
  list(total = lapply(as.list(a$total), unname), item_stats = lapply(a$item.stats, unname), alpha_drop = lapply(a$alpha.drop, unname),
       feldt = list(lower = a$feldt$lower.ci[[1]], upper = a$feldt$upper.ci[[1]]))
}
sh <- splitHalf(X, check.keys = FALSE)
R <- cov2cor(cov(X, use = "pairwise"))
g1 <- suppressMessages(guttman(R))
o1 <- suppressMessages(omega(X, nfactors = 1, plot = FALSE))
o3 <- suppressMessages(omega(X, nfactors = 3, plot = FALSE))
o3ml <- suppressMessages(omega(X, nfactors = 3, fm = "ml", plot = FALSE))
o2 <- suppressMessages(omega(X, nfactors = 2, plot = FALSE))
p <- polychoric(X)
# One item never uses the top category: psych switches to per-pair thresholds with the 0.5 correction.
X2 <- X; X2$wai7[X2$wai7 == 5] <- 4
p2 <- polychoric(X2)
pc <- polychor(X$wai1, X$wai2)   # polycor's two-step estimate for one pair (pairwise complete rows)
sl <- o3$schmid$sl
out <- list(
  versions = list(R = R.version.string, psych = as.character(packageVersion("psych")), polycor = as.character(packageVersion("polycor")),
                  GPArotation = as.character(packageVersion("GPArotation"))),
  subscales = list(Task = task, Goal = goal, Bond = bond),
  total = scale_figures(X),
  task = scale_figures(X[, task]), goal = scale_figures(X[, goal]), bond = scale_figures(X[, bond]),
  split_half = list(max = sh$maxrb, min = sh$minrb, mean = sh$meanr, lambda2 = sh$lambda2, lambda6 = sh$lambda6),
  guttman = list(lambda1 = g1$lambda.1, lambda2 = g1$lambda.2, lambda3 = g1$lambda.3, lambda4 = g1$lambda.4, lambda5 = g1$lambda.5, lambda6 = g1$lambda.6),
  omega1 = list(omega_total = o1$omega.tot),
  omega3 = list(omega_h = o3$omega_h, omega_total = o3$omega.tot, omega_limit = o3$omega.lim, ecv = unname(o3$ECV),
                general = unname(sl[, 1]), group = unname(sl[, 2:4]), u2 = unname(sl[, "u2"]),
                group_omega = unname(as.matrix(o3$omega.group))),
  omega3_ml = list(omega_h = o3ml$omega_h, omega_total = o3ml$omega.tot),
  omega2 = list(omega_h = o2$omega_h, omega_total = o2$omega.tot),
  polychoric = list(rho = unname(p$rho), tau = unname(p$tau),
                    ordinal_alpha = alpha(p$rho)$total$std.alpha,
                    ordinal_omega = suppressMessages(omega(p$rho, nfactors = 1, plot = FALSE))$omega.tot),
  polychoric_unequal = list(rho = unname(p2$rho)),
  polycor_pair = pc
)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), "wai-sr-simulated.json")
