# Reference values for the linear mixed models in Outcomes/LinearMixedModel (lme4 + lmerTest).
# Run from this folder: Rscript lmm_fixtures.R   (writes sleepstudy.csv, clinic_sessions.csv, lmm_reference.csv)
suppressPackageStartupMessages({ library(lme4); library(lmerTest) })
options(digits = 15)

sleep <- lme4::sleepstudy
write.csv(data.frame(Reaction = sleep$Reaction, Days = sleep$Days, Subject = as.character(sleep$Subject)),
          "sleepstudy.csv", row.names = FALSE)

# A small three-level clinic: sessions in clients in therapists, unbalanced, with random slopes.
set.seed(20261126)
n_ther <- 25
rows <- list()
client_no <- 0
for (t in 1:n_ther) {
  u_t <- rnorm(1, 0, 2.0); s_t <- rnorm(1, 0, 0.25)
  for (c in 1:sample(4:9, 1)) {
    client_no <- client_no + 1
    u_c <- rnorm(1, 0, 3.0); s_c <- rnorm(1, 0, 0.5)
    n_s <- sample(3:10, 1)
    session <- 1:n_s
    alliance <- 5 + 0.5 * rnorm(1) + 0.05 * session + rnorm(n_s, 0, 0.4)
    y <- 20 + u_t + u_c + (-0.8 + s_t + s_c) * session - 1.2 * (alliance - 5) + rnorm(n_s, 0, 2.5)
    rows[[length(rows) + 1]] <- data.frame(therapist_id = sprintf("T%02d", t), client_id = sprintf("C%03d", client_no),
                                           session = session, alliance = round(alliance, 4), symptoms = round(y, 4))
  }
}
clinic <- do.call(rbind, rows)
write.csv(clinic, "clinic_sessions.csv", row.names = FALSE)

# lme4's default optimiser (nloptwrap) stops about 1e-4 (relative) short of the optimum in flat directions of θ
# (sleepstudy: intercept SD 24.7407 printed as 24.741, at the optimum 24.74045). The references are fitted with
# BOBYQA run to rhoend = 1e-12 so they hold the optimum itself; criteria agree either way to 1e-9.
ctrl <- lmerControl(optimizer = "bobyqa", optCtrl = list(rhoend = 1e-12, maxfun = 1e5))

out <- data.frame(model = character(), key = character(), value = numeric())
add <- function(model, key, value) out <<- rbind(out, data.frame(model = model, key = key, value = as.numeric(value)))

record <- function(name, fit) {
  s <- summary(fit)
  co <- s$coefficients
  for (term in rownames(co)) {
    add(name, paste0("beta:", term), co[term, "Estimate"])
    add(name, paste0("se:", term), co[term, "Std. Error"])
    add(name, paste0("df:", term), co[term, "df"])
    add(name, paste0("t:", term), co[term, "t value"])
    add(name, paste0("p:", term), co[term, "Pr(>|t|)"])
  }
  vc <- as.data.frame(VarCorr(fit))
  for (i in seq_len(nrow(vc))) {
    key <- if (is.na(vc$var2[i])) paste0("vcov:", vc$grp[i], ":", ifelse(is.na(vc$var1[i]), "", vc$var1[i]))
           else paste0("cov:", vc$grp[i], ":", vc$var1[i], ":", vc$var2[i])
    add(name, key, vc$vcov[i])
  }
  add(name, "sigma", sigma(fit))
  if (isREML(fit)) add(name, "REMLcrit", REMLcrit(fit)) else add(name, "deviance", deviance(fit))
  add(name, "logLik", as.numeric(logLik(fit)))
  add(name, "AIC", AIC(fit)); add(name, "BIC", BIC(fit))
  th <- getME(fit, "theta")
  for (i in seq_along(th)) add(name, paste0("theta:", names(th)[i]), th[i])
  re <- ranef(fit, condVar = TRUE)
  for (g in names(re)) {
    r <- re[[g]]
    pv <- attr(r, "postVar")
    for (lev in head(rownames(r), 3)) {
      for (j in seq_len(ncol(r))) {
        add(name, paste0("ranef:", g, ":", lev, ":", colnames(r)[j]), r[lev, j])
        add(name, paste0("condsd:", g, ":", lev, ":", colnames(r)[j]), sqrt(pv[j, j, which(rownames(r) == lev)]))
      }
    }
  }
}

record("sleep_slope_reml", lmer(Reaction ~ Days + (Days | Subject), sleep, REML = TRUE, control = ctrl))
record("sleep_slope_ml", lmer(Reaction ~ Days + (Days | Subject), sleep, REML = FALSE, control = ctrl))
record("sleep_int_reml", lmer(Reaction ~ Days + (1 | Subject), sleep, REML = TRUE, control = ctrl))
record("clinic_ri3_reml", lmer(symptoms ~ session + alliance + (1 | therapist_id/client_id), clinic, REML = TRUE, control = ctrl))
record("clinic_ri3_ml", lmer(symptoms ~ session + alliance + (1 | therapist_id/client_id), clinic, REML = FALSE, control = ctrl))
record("clinic_rs3_reml", lmer(symptoms ~ session + alliance + (1 + session | therapist_id:client_id) + (1 | therapist_id), clinic, REML = TRUE, control = ctrl))
record("clinic_rs3_ml", lmer(symptoms ~ session + alliance + (1 + session | therapist_id:client_id) + (1 | therapist_id), clinic, REML = FALSE, control = ctrl))
record("clinic_rs2_reml", lmer(symptoms ~ session + (1 + session | client_id), clinic, REML = TRUE, control = ctrl))

add("versions", paste0("R ", R.version$major, ".", R.version$minor, "; lme4 ", packageVersion("lme4"), "; lmerTest ", packageVersion("lmerTest")), NA)
write.csv(out, "lmm_reference.csv", row.names = FALSE)
