# Reference values for Outcomes/Correlations: cor.test, polycor::polyserial, psych::r.test, boot::boot.ci.
# Run from this folder: Rscript correlation_fixtures.R  (writes correlation_data.csv, correlation_reference.csv)
suppressPackageStartupMessages({ library(polycor); library(psych); library(boot) })
set.seed(7)
n <- 300
baseline <- rnorm(n, 15, 5)
latent <- rnorm(n)
alliance_client <- round(pmin(7, pmax(1, 5.5 + 0.8 * latent + rnorm(n, 0, 0.6))) * 4) / 4   # ceiling-skewed, tied
alliance_therapist <- round(pmin(7, pmax(1, 5.0 + 0.5 * latent + rnorm(n, 0, 0.8))) * 4) / 4
item <- as.integer(cut(latent + rnorm(n, 0, 0.7), c(-Inf, -1.2, -0.3, 0.5, 1.3, Inf)))        # a 5-category item
outcome <- 0.6 * baseline - 1.5 * latent + rnorm(n, 0, 3)                                      # symptoms at end
outcome[c(5, 77)] <- NA
d <- data.frame(alliance_client, alliance_therapist, item, baseline, outcome)
write.csv(d, "correlation_data.csv", row.names = FALSE)

out <- data.frame(key = character(), value = numeric())
add <- function(key, value) out <<- rbind(out, data.frame(key = key, value = as.numeric(value)))
cc <- complete.cases(d)
x <- d$alliance_client[cc]; y <- d$outcome[cc]; z <- d$baseline[cc]; w <- d$alliance_therapist[cc]; m <- sum(cc)
add("n", m)
p <- cor.test(x, y, method = "pearson")
add("pearson:r", p$estimate); add("pearson:t", p$statistic); add("pearson:p", p$p.value)
add("pearson:lower", p$conf.int[1]); add("pearson:upper", p$conf.int[2])
s <- suppressWarnings(cor.test(x, y, method = "spearman", exact = FALSE))
add("spearman:r", s$estimate); add("spearman:p", s$p.value)
# Bonett & Wright (2000) interval, by hand
zs <- atanh(s$estimate); se <- sqrt((1 + s$estimate^2 / 2) / (m - 3))
add("spearman:lower", tanh(zs - qnorm(.975) * se)); add("spearman:upper", tanh(zs + qnorm(.975) * se))
k <- cor.test(x, y, method = "kendall", exact = FALSE)
add("kendall:r", k$estimate); add("kendall:z", k$statistic); add("kendall:p", k$p.value)
# partial correlation controlling baseline: residual correlation; t on n - 3 df; Fisher interval with n - 4
pr <- cor(resid(lm(x ~ z)), resid(lm(y ~ z)))
add("partial:r", pr)
add("partial:t", pr * sqrt((m - 3) / (1 - pr^2))); add("partial:p", 2 * pt(-abs(pr * sqrt((m - 3) / (1 - pr^2))), m - 3))
add("partial:lower", tanh(atanh(pr) - qnorm(.975) / sqrt(m - 4))); add("partial:upper", tanh(atanh(pr) + qnorm(.975) / sqrt(m - 4)))
add("partial:psych", psych::partial.r(cbind(x, y, z), c(1, 2), 3)[1, 2])
# polyserial: outcome with the 5-category item (two-step ML with SE)
ps <- polycor::polyserial(d$outcome, d$item, std.err = TRUE)
add("polyserial:rho", ps$rho); add("polyserial:se", sqrt(ps$var[1]))
for (i in seq_along(ps$cuts)) add(paste0("polyserial:cut", i), ps$cuts[i])
# dependent correlations sharing the outcome: client vs therapist alliance
r12 <- cor(y, x); r13 <- cor(y, w); r23 <- cor(x, w)
add("dep:r12", r12); add("dep:r13", r13); add("dep:r23", r23)
rt <- r.test(n = m, r12 = r12, r13 = r13, r23 = r23)
add("dep:williams_t", rt$t); add("dep:williams_p", rt$p)
# Steiger (1980) eq. 14 by hand, pooled rbar
rb <- (r12 + r13) / 2
psi <- r23 * (1 - 2 * rb^2) - 0.5 * rb^2 * (1 - 2 * rb^2 - r23^2)
sbar <- psi / (1 - rb^2)^2
zst <- (atanh(r12) - atanh(r13)) * sqrt(m - 3) / sqrt(2 - 2 * sbar)
add("dep:steiger_z", zst); add("dep:steiger_p", 2 * pnorm(-abs(zst)))
# bootstrap intervals (20,000 resamples; a different generator, so agreement is to Monte Carlo error)
set.seed(11)
b <- boot(cbind(x, y), function(dd, i) cor(dd[i, 1], dd[i, 2]), R = 20000)
ci <- boot.ci(b, type = c("perc", "bca"))
add("boot:perc_lower", ci$percent[4]); add("boot:perc_upper", ci$percent[5])
add("boot:bca_lower", ci$bca[4]); add("boot:bca_upper", ci$bca[5])
add(paste0("versions: R ", R.version$major, ".", R.version$minor, "; polycor ", packageVersion("polycor"), "; psych ", packageVersion("psych"), "; boot ", packageVersion("boot")), NA)
write.csv(out, "correlation_reference.csv", row.names = FALSE)
