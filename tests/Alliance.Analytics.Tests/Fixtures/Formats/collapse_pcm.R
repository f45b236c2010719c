# Fixture for tests/Alliance.Analytics.Tests/Formats/CollapseReferenceTests.cs: the partial credit model by CML
# (psychotools::pcmodel), as format comparisons fit each scoring, and one-factor omega total (psych::omega) of two
# scorings of the committed synthetic 7-point WAI (reverse-keyed items reverse-scored, complete rows).
# Run from the repository root: Rscript tests/Alliance.Analytics.Tests/Fixtures/Formats/collapse_pcm.R
suppressMessages({ library(psychotools); library(psych); library(jsonlite) })
x <- read.csv("data/synthetic/formats/wai36_7point.csv")
items <- x[, sprintf("wai%d", 1:36)]
rev <- c(1, 3, 7, 9, 10, 11, 12, 15, 20, 27, 29, 31, 33)
items[, rev] <- 8 - items[, rev]
items <- as.matrix(items[complete.cases(items), ])
maps <- list(c(1, 2, 3, 4, 5, 6, 7), c(1, 2, 2, 2, 3, 4, 5))
out <- lapply(maps, function(map) {
  y <- matrix(map[items], nrow(items)) - 1
  colnames(y) <- colnames(items)
  stopifnot(all(apply(y, 2, function(v) length(unique(v))) == max(map)))  # every category used by every item
  fit <- pcmodel(y, reltol = 1e-14, maxit = 10000L, hessian = FALSE)  # the defaults (maxit 100) stop short with 216 parameters
  stopifnot(fit$code == 0)
  om <- suppressWarnings(suppressMessages(psych::omega(y + 1, nfactors = 1, plot = FALSE)))
  list(map = paste(map, collapse = ","), loglik = as.numeric(logLik(fit)), omega_total = om$omega.tot)
})
doc <- list(r_version = R.version.string, psychotools = as.character(packageVersion("psychotools")),
            psych = as.character(packageVersion("psych")), rows = nrow(items), fits = out)
writeLines(toJSON(doc, auto_unbox = TRUE, digits = NA, pretty = TRUE), "tests/Alliance.Analytics.Tests/Fixtures/Formats/collapse_pcm.json")
