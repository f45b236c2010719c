# Fixture: psych's intraclass correlations for Shrout & Fleiss's (1979, Table 2) example: 6 targets rated by 4 judges,
# entered as in the example of psych's ?ICC (the `sf` matrix).
# Run from this directory: Rscript shrout-fleiss.R  (writes shrout-fleiss.csv and shrout-fleiss.json)
suppressMessages({ library(psych); library(jsonlite) })
sf <- matrix(c(9, 2, 5, 8,
               6, 1, 3, 2,
               8, 4, 6, 8,
               7, 1, 2, 6,
               10, 5, 6, 9,
               6, 2, 4, 7), ncol = 4, byrow = TRUE)
colnames(sf) <- paste0("J", 1:4)
write.csv(sf, "shrout-fleiss.csv", row.names = FALSE)
lm <- ICC(sf)                  # psych's default: variance components from lme4::lmer
an <- ICC(sf, lmer = FALSE)    # the two-way ANOVA of Shrout & Fleiss
tab <- function(r) list(type = r$type, icc = r$ICC, f = r$F, df1 = r$df1, df2 = r$df2, p = r$p,
                        lower = r$`lower bound`, upper = r$`upper bound`)
out <- list(versions = list(R = R.version.string, psych = as.character(packageVersion("psych")), lme4 = as.character(packageVersion("lme4"))),
            lmer = tab(lm$results), anova = tab(an$results),
            ms = list(MSB = an$stats[3, 1], MSJ = an$stats[3, 2], MSE = an$stats[3, 3], MSW = an$MSW))
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), "shrout-fleiss.json")
