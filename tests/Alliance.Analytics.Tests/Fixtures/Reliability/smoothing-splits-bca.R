# Fixture: psych's cor.smooth on a correlation matrix that is not positive definite; psych::splitHalf with brute force
# over all splits of 20 simulated items (more than the 10,000 it would otherwise sample); the BCa bootstrap interval by
# the textbook formula (Efron & Tibshirani 1993, eq. 14.14-14.15) for fixed replicate and jackknife values; and the
# Jacobson-Truax (1991) reliable change index for fixed pairs of scores.
# Also: psych::splitHalf's enumeration for 3 and 7 items (odd counts, where it evaluates only part of the splits), and
# psych::polychoric on pairwise data whose polychoric matrix is not positive definite (so psych smooths it).
# Run from this directory: Rscript smoothing-splits-bca.R  (writes smoothing-splits-bca.json, twenty-items.csv and
# not-positive-definite.csv)
suppressMessages({ library(psych); library(jsonlite) })
options(warn = -1)
npd <- matrix(c(1, 0.9, 0.9, 0.1,
                0.9, 1, 0.2, 0.6,
                0.9, 0.2, 1, 0.7,
                0.1, 0.6, 0.7, 1), 4, 4)
smooth <- cor.smooth(npd)

set.seed(7)
n <- 400
f <- rnorm(n)
x <- sapply(1:20, function(j) as.integer(cut(0.55 * f + sqrt(1 - 0.55^2) * rnorm(n), c(-Inf, -1, 0, 1, Inf))))
colnames(x) <- paste0("i", 1:20)
write.csv(x, "twenty-items.csv", row.names = FALSE)
sh <- splitHalf(x, brute = TRUE, check.keys = FALSE)
sh3 <- splitHalf(x[, 1:3], check.keys = FALSE)
sh7 <- splitHalf(x[, 1:7], check.keys = FALSE)

# Three items observed in pairs only: a~b and b~c agree strongly, a~c disagree; no row has all three.
set.seed(3)
z <- rnorm(300); e <- matrix(rnorm(900, sd = 0.4), 300, 3)
cat4 <- function(v) as.integer(cut(v, c(-Inf, -0.8, 0, 0.8, Inf)))
npdx <- data.frame(a = cat4(z + e[, 1]), b = cat4(z + e[, 2]), c = cat4(ifelse(seq_len(300) > 200, -z, z) + e[, 3]))
npdx$c[1:100] <- NA; npdx$a[101:200] <- NA; npdx$b[201:300] <- NA
write.csv(npdx, "not-positive-definite.csv", row.names = FALSE, na = "")
pnpd <- polychoric(npdx)
pnpd_raw <- polychoric(npdx, smooth = FALSE)

set.seed(11)
t <- rnorm(1999, 0.80, 0.02) + rexp(1999, 1 / 0.01) - 0.01   # skewed "replicates"
jack <- 0.80 + rnorm(150, 0, 0.004) + (1:150) %% 7 * 1e-4
est <- 0.802
bca <- function(t, jack, est, level = 0.95) {
  z0 <- qnorm(sum(t < est) / length(t))
  d <- mean(jack) - jack
  a <- sum(d^3) / (6 * sum(d^2)^1.5)
  z <- qnorm(c((1 - level) / 2, (1 + level) / 2))
  p <- pnorm(z0 + (z0 + z) / (1 - a * (z0 + z)))
  list(z0 = z0, a = a, lower = unname(quantile(t, p[1], type = 7)), upper = unname(quantile(t, p[2], type = 7)),
       percentile = unname(quantile(t, c(0.025, 0.975), type = 7)))
}
before <- c(40, 45, 38, 50, 52, 31, 44, 47, NA, 39)
after <- c(48, 44, 30, 58, 51, 42, 45, 55, 50, 39)
rxx <- 0.88
sd1 <- sd(before, na.rm = TRUE)
sem <- sd1 * sqrt(1 - rxx); sdiff <- sqrt(2) * sem; rci <- (after - before) / sdiff
out <- list(versions = list(R = R.version.string, psych = as.character(packageVersion("psych"))),
            smooth = list(input = unname(npd), output = unname(smooth), min_eigen = min(eigen(npd)$values)),
            split20 = list(max = sh$maxrb, min = sh$minrb, mean = sh$meanr),
            split3 = list(max = sh3$maxrb, min = sh3$minrb, mean = sh3$meanr),
            split7 = list(max = sh7$maxrb, min = sh7$minrb, mean = sh7$meanr),
            npd_polychoric = list(smoothed = unname(pnpd$rho), raw = unname(pnpd_raw$rho)),
            bca = c(list(t = t, jack = jack, est = est), bca(t, jack, est)),
            rci = list(before = before, after = after, reliability = rxx, sd = sd1, sem = sem, sdiff = sdiff, rci = rci,
                       improved = sum(rci > qnorm(0.975), na.rm = TRUE), deteriorated = sum(rci < -qnorm(0.975), na.rm = TRUE)))
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE, na = "null"), "smoothing-splits-bca.json")
