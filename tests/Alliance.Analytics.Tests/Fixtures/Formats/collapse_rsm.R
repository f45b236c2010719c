# Fixture for tests/Alliance.Analytics.Tests/Formats/CollapseReferenceTests.cs: the rating scale model by CML
# (psychotools::rsmodel) and raw alpha (psych::alpha) of four collapses of the committed synthetic 7-point WAI
# (reverse-keyed items reverse-scored, complete rows), as the explorer fits them.
# Run from the repository root: Rscript tests/Alliance.Analytics.Tests/Fixtures/Formats/collapse_rsm.R
suppressMessages({ library(psychotools); library(psych); library(jsonlite) })
x <- read.csv("data/synthetic/formats/wai36_7point.csv")
items <- x[, sprintf("wai%d", 1:36)]
rev <- c(1, 3, 7, 9, 10, 11, 12, 15, 20, 27, 29, 31, 33)
items[, rev] <- 8 - items[, rev]
items <- as.matrix(items[complete.cases(items), ])
maps <- list(c(1, 2, 3, 4, 5, 6, 7), c(1, 2, 2, 2, 3, 4, 5), c(1, 1, 1, 1, 2, 3, 4), c(1, 2, 3, 4, 5, 5, 6))
out <- lapply(maps, function(map) {
  y <- matrix(map[items], nrow(items)) - 1
  colnames(y) <- colnames(items)
  fit <- rsmodel(y)
  tau <- threshpar(fit, type = "mode", relative = TRUE)[[1]]
  list(map = paste(map, collapse = ","), loglik = as.numeric(logLik(fit)),
       tau = unname(as.numeric(tau) - mean(as.numeric(tau))),
       alpha = psych::alpha(y + 1, warnings = FALSE)$total$raw_alpha)
})
doc <- list(r_version = R.version.string, psychotools = as.character(packageVersion("psychotools")),
            psych = as.character(packageVersion("psych")), rows = nrow(items), fits = out)
writeLines(toJSON(doc, auto_unbox = TRUE, digits = NA, pretty = TRUE), "tests/Alliance.Analytics.Tests/Fixtures/Formats/collapse_rsm.json")
