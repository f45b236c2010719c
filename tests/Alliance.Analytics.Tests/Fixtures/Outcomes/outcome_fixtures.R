# Reference values for Outcomes/ClientOutcomes, TherapistEffects (Baldwin, Wampold & Imel 2007) and WithinPatientModel
# on clinic_sessions.csv (made by lmm_fixtures.R). Run from this folder: Rscript outcome_fixtures.R
suppressPackageStartupMessages({ library(lme4); library(lmerTest) })
ctrl <- lmerControl(optimizer = "bobyqa", optCtrl = list(rhoend = 1e-12, maxfun = 1e5))
clinic <- read.csv("clinic_sessions.csv")
clinic <- clinic[order(clinic$client_id, clinic$session), ]
out <- data.frame(key = character(), value = numeric())
add <- function(key, value) out <<- rbind(out, data.frame(key = key, value = as.numeric(value)))

# One row per client: mean alliance, alliance at session 3, pre (first symptoms), post (last), slope over sessions.
cl <- do.call(rbind, lapply(split(clinic, clinic$client_id), function(d) data.frame(
  client = d$client_id[1], therapist = d$therapist_id[1], alliance = mean(d$alliance),
  alliance3 = if (any(d$session == 3)) d$alliance[d$session == 3] else NA,
  pre = d$symptoms[1], post = d$symptoms[nrow(d)], slope = coef(lm(symptoms ~ session, d))[2])))
cl$change <- cl$post - cl$pre
cl$rgain <- resid(lm(post ~ pre, cl))
add("clients", nrow(cl))
for (id in c("C001", "C050", "C120")) {
  r <- cl[cl$client == id, ]
  for (k in c("alliance", "pre", "post", "slope", "change", "rgain")) add(paste0("client:", id, ":", k), r[[k]])
}
ct <- cor.test(cl$alliance, cl$post)
add("r", ct$estimate); add("r_lower", ct$conf.int[1]); add("r_upper", ct$conf.int[2])
add("r_change", cor(cl$alliance, cl$change)); add("r_rgain", cor(cl$alliance, cl$rgain)); add("r_slope", cor(cl$alliance, cl$slope))
ok3 <- !is.na(cl$alliance3)
add("n_session3", sum(ok3)); add("r_session3", cor(cl$alliance3[ok3], cl$post[ok3]))
add("partial_r", cor(resid(lm(alliance ~ pre, cl)), resid(lm(post ~ pre, cl))))
add("spearman", cor(cl$alliance, cl$post, method = "spearman"))

# Baldwin, Wampold & Imel (2007): therapist mean and deviation, therapists random.
cl$ther_mean <- ave(cl$alliance, cl$therapist)
cl$ther_dev <- cl$alliance - cl$ther_mean
b <- lmer(post ~ pre + ther_mean + ther_dev + (1 | therapist), cl, REML = TRUE, control = ctrl)
co <- summary(b)$coefficients
for (term in rownames(co)) { add(paste0("baldwin:b:", term), co[term, 1]); add(paste0("baldwin:se:", term), co[term, 2])
  add(paste0("baldwin:df:", term), co[term, "df"]); add(paste0("baldwin:p:", term), co[term, "Pr(>|t|)"]) }
vc <- as.data.frame(VarCorr(b))
add("baldwin:therapist_variance", vc$vcov[1]); add("baldwin:residual_variance", vc$vcov[2]); add("baldwin:REMLcrit", REMLcrit(b))

# Within-patient lagged model: next-session symptoms on person-mean-centred alliance (optionally detrended).
lag <- do.call(rbind, lapply(split(clinic, clinic$client_id), function(d) {
  m <- mean(d$alliance)
  slope <- coef(lm(alliance ~ session, d))[2]
  k <- seq_len(nrow(d) - 1)
  data.frame(client = d$client_id[1], therapist = d$therapist_id[1], y_next = d$symptoms[k + 1], y = d$symptoms[k], session = d$session[k],
             a_mean = m, a_within = d$alliance[k] - m, a_detrended = d$alliance[k] - m - slope * (d$session[k] - mean(d$session)))
}))
add("lag:pairs", nrow(lag))
w <- lmer(y_next ~ a_within + a_mean + y + session + (1 | client), lag, REML = TRUE, control = ctrl)
co <- summary(w)$coefficients
for (term in rownames(co)) { add(paste0("lag:b:", term), co[term, 1]); add(paste0("lag:se:", term), co[term, 2]); add(paste0("lag:df:", term), co[term, "df"]) }
add("lag:REMLcrit", REMLcrit(w))
wd <- lmer(y_next ~ a_detrended + a_mean + y + session + (1 | client), lag, REML = TRUE, control = ctrl)
co <- summary(wd)$coefficients
add("lagd:b:a_within", co["a_detrended", 1]); add("lagd:se:a_within", co["a_detrended", 2]); add("lagd:REMLcrit", REMLcrit(wd))
wt <- lmer(y_next ~ a_within + a_mean + y + session + (1 | therapist/client), lag, REML = TRUE, control = ctrl)
co <- summary(wt)$coefficients
add("lagt:b:a_within", co["a_within", 1]); add("lagt:se:a_within", co["a_within", 2]); add("lagt:REMLcrit", REMLcrit(wt))

add(paste0("versions: R ", R.version$major, ".", R.version$minor, "; lme4 ", packageVersion("lme4"), "; lmerTest ", packageVersion("lmerTest")), NA)
write.csv(out, "outcome_reference.csv", row.names = FALSE)
