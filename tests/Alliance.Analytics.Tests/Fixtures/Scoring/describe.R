# Fixture for DescriptivesTests: psych::describe (n, mean, sd, skew type 3) and category counts on a small
# 5-point item set with missing values. Run: Rscript describe.R  (writes describe-data.csv, describe-psych.csv)
suppressPackageStartupMessages(library(psych))
set.seed(20261126)
n <- 57
x <- data.frame(
  q1 = sample(1:5, n, replace = TRUE, prob = c(.02, .05, .13, .30, .50)),
  q2 = sample(1:5, n, replace = TRUE, prob = c(.05, .10, .25, .30, .30)),
  q3 = sample(1:5, n, replace = TRUE, prob = c(.01, .04, .10, .25, .60)),
  q4 = sample(2:5, n, replace = TRUE)
)
x$q2[c(3, 17, 40)] <- NA
x$q4[c(5, 6)] <- NA
write.csv(x, "describe-data.csv", row.names = FALSE, na = "")
d <- describe(x)
out <- data.frame(item = rownames(d), n = d$n, mean = sprintf("%.15g", d$mean), sd = sprintf("%.15g", d$sd),
                  skew = sprintf("%.15g", d$skew), min = d$min, max = d$max)
for (k in 1:5) out[[paste0("cat", k)]] <- sapply(x, function(v) sum(v == k, na.rm = TRUE))
write.csv(out, "describe-psych.csv", row.names = FALSE, quote = FALSE)
cat("# R", R.version.string, "psych", format(packageVersion("psych")), "\n", file = "describe-versions.txt")
