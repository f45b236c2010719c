# Fixture for the marginal-ML standard-error tests: mirt's Oakes observed information (SE.type = "Oakes")
# on science.csv (392 x 4, categories 1-4) and on simulated graded data (2,000 x 6, 4 categories, seed 17).
# Run from this folder: Rscript irt-mml-se.R   (writes mml-sim.csv, irt-mml-se.json). CI never runs R.
# mirt's defaults are spelled out: 61 quadrature points on theta_lim = c(-6, 6); TOL = 1e-8 so that the
# estimates are the maximiser (the SEs are compared to 1e-4 relative, which would not hold at TOL = 1e-4).
suppressMessages({library(mirt); library(jsonlite)})

set.seed(17)
n <- 2000; J <- 6
a <- c(0.8, 1.0, 1.2, 1.5, 1.8, 2.2)
b <- cbind(seq(-1.5, -0.5, length.out = J), seq(-0.3, 0.3, length.out = J), seq(0.6, 1.6, length.out = J))
theta <- rnorm(n)
sim <- matrix(0L, n, J)
for (j in 1:J) {
  pstar <- sapply(1:3, function(k) plogis(a[j] * (theta - b[j, k])))
  u <- runif(n)
  sim[, j] <- rowSums(u < pstar)
}
colnames(sim) <- paste0("I", 1:J)
write.csv(sim, "mml-sim.csv", row.names = FALSE, quote = FALSE)
science <- as.matrix(read.csv("science.csv"))

fitOne <- function(X, itemtype) {
  t0 <- proc.time()[["elapsed"]]
  m <- mirt(X, 1, itemtype, SE = TRUE, SE.type = "Oakes", quadpts = 61, TOL = 1e-8, verbose = FALSE,
            technical = list(theta_lim = c(-6, 6), NCYCLES = 20000))
  elapsed <- proc.time()[["elapsed"]] - t0
  cf <- coef(m, printSE = TRUE)
  items <- lapply(colnames(X), function(nm) {
    x <- cf[[nm]]
    keep <- grepl("^(a1|d[0-9]*)$", colnames(x))
    keep <- keep & !(colnames(x) == "d0")
    list(name = nm, par_names = colnames(x)[keep], par = unname(x["par", keep]), se = unname(x["SE", keep]))
  })
  g <- cf$GroupPars
  # the other covariance estimates at the same estimates (TOL = NaN: no EM cycles, SEs only)
  other <- function(type) {
    m2 <- mirt(X, 1, itemtype, pars = mod2values(m), TOL = NaN, SE = TRUE, SE.type = type, quadpts = 61,
               verbose = FALSE, technical = list(theta_lim = c(-6, 6)))
    c2 <- coef(m2, printSE = TRUE)
    list(items = lapply(colnames(X), function(nm) { x <- c2[[nm]]; keep <- grepl("^(a1|d[0-9]+)$", colnames(x)) & colnames(x) != "d0"; unname(x["SE", keep]) }),
         group = unname(c2$GroupPars["SE", ]))
  }
  list(loglik = m@Fit$logLik, converged = extract.mirt(m, "converged"), iterations = extract.mirt(m, "iterations"),
       seconds = elapsed, items = items,
       group = list(par_names = colnames(g), par = unname(g["par", ]), se = unname(g["SE", ])),
       crossprod = other("crossprod"), sandwich = other("sandwich"))
}

out <- list(versions = list(R = R.version.string, mirt = as.character(packageVersion("mirt"))),
            settings = list(quadpts = 61, theta_lim = c(-6, 6), TOL = 1e-8, SE.type = "Oakes"))
for (d in list(list(key = "science", X = science), list(key = "sim", X = sim))) {
  out[[d$key]] <- list(graded = fitOne(d$X, "graded"), gpcm = fitOne(d$X, "gpcm"), rasch = fitOne(d$X, "Rasch"))
}
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), "irt-mml-se.json")
