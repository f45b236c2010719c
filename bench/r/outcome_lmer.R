# Side-by-side timing for OutcomeBenchmarks: lme4::lmer on the same 100,000 sessions (10,000 clients, 500 therapists).
# The data are written by the C# benchmark's GlobalSetup (run it first), to the temp directory:
#   Rscript bench/r/outcome_lmer.R [path]   (default: $TMPDIR/alliance-bench-outcome-3level.csv)
suppressPackageStartupMessages(library(lme4))
args <- commandArgs(trailingOnly = TRUE)
path <- if (length(args) > 0) args[1] else file.path(Sys.getenv("TMPDIR", "/tmp"), "alliance-bench-outcome-3level.csv")
d <- read.csv(path, colClasses = c("character", "character", "numeric", "numeric", "numeric"))
cat(sprintf("%d rows, %d clients, %d therapists; R %s, lme4 %s\n", nrow(d), length(unique(d$client_id)),
            length(unique(d$therapist_id)), getRversion(), packageVersion("lme4")))
f <- symptoms ~ session + alliance + (1 | therapist_id/client_id)
fit <- lmer(f, d, REML = TRUE)   # warm-up
times <- replicate(5, system.time(lmer(f, d, REML = TRUE))["elapsed"])
cat(sprintf("lmer REML: median %.3f s (min %.3f, max %.3f) over 5 runs\n", median(times), min(times), max(times)))
print(summary(fit)$coefficients, digits = 8)
print(as.data.frame(VarCorr(fit))[, c("grp", "vcov")], digits = 8)
cat(sprintf("REML criterion %.6f\n", REMLcrit(fit)))
if (requireNamespace("lmerTest", quietly = TRUE)) {
  t2 <- replicate(3, system.time(lmerTest::lmer(f, d, REML = TRUE))["elapsed"])
  cat(sprintf("lmerTest::lmer (adds Satterthwaite): median %.3f s over 3 runs\n", median(t2)))
}
