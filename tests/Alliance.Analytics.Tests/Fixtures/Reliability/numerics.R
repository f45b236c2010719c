# Fixture: reference values for the numerics the reliability code rests on.
# Bivariate normal CDF (mnormt::pmnorm, Genz's algorithm), F distribution (pf, quantiles) with large degrees of freedom.
# Run from this directory: Rscript numerics.R  (writes numerics.json)
suppressMessages({ library(mnormt); library(jsonlite) })
grid <- expand.grid(h = c(-2.5, -0.7, 0, 0.3, 1.9), k = c(-1.2, 0.1, 2.2), rho = c(-0.95, -0.6, -0.2, 0.1, 0.45, 0.8, 0.93, 0.99))
grid$p <- mapply(function(h, k, r) pmnorm(c(h, k), varcov = matrix(c(1, r, r, 1), 2)), grid$h, grid$k, grid$rho)
fq <- expand.grid(p = c(0.025, 0.5, 0.975), d1 = c(4, 2799, 99999), d2mult = c(1, 4, 15))
fq$d2 <- fq$d1 * fq$d2mult
fq$qf <- qf(fq$p, fq$d1, fq$d2)
# R 4.2's qf (via qbeta) is inaccurate at around 1e5 degrees of freedom: pf(qf(0.025, 99999, 1499985)) is 0.0288.
# The reference quantile is therefore the root of pf(q) = p found by uniroot on the (accurate) pf, which equals
# qf wherever qf is self-consistent; qf_roundtrip records pf(qf(p)) to show where it is not.
fq$qf_roundtrip <- pf(fq$qf, fq$d1, fq$d2)
fq$q <- mapply(function(p, d1, d2) uniroot(function(f) pf(f, d1, d2) - p, c(1e-3, 1e3), tol = 1e-15)$root, fq$p, fq$d1, fq$d2)
fq$cdf_at_1.01 <- pf(1.01, fq$d1, fq$d2)
fq$upper_at_3 <- pf(3, fq$d1, fq$d2, lower.tail = FALSE)
out <- list(versions = list(R = R.version.string, mnormt = as.character(packageVersion("mnormt"))),
            bivariate = grid, f = fq[, c("p", "d1", "d2", "q", "qf", "qf_roundtrip", "cdf_at_1.01", "upper_at_3")])
writeLines(toJSON(out, digits = NA, pretty = TRUE, dataframe = "rows"), "numerics.json")
