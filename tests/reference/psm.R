# Propensity-score matching references: R Matching::Match on a glm-logit score (mroz).
# Nearest-neighbour matching with replacement, ties = TRUE with distance.tolerance = 0 (exact
# ties, as flexemp's ties = "all"), M = 1 and 3, ATT / ATE / ATC.  Standard errors:
#   se_ai2006         Var.calc = 1: Abadie-Imbens (2006) with sigma^2(X) from J = 1 own-group match
#   se_homoskedastic  Var.calc = 0 (Match's default): sigma^2 pooled from the matched pairs
# Stored per case: the estimate, both SEs, the number of matched pairs (length(index.control)),
# the weighted number of matched targets (wnobs), the score's glm coefficients.
source(file.path(dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))), "common.R"))
suppressMessages(library(Matching))

d <- read_mroz()
specs <- list(
  cont = list(treat = "city", outcome = "hours", covs = c("age", "educ", "exper", "nwifeinc", "kidslt6")),
  ties = list(treat = "city", outcome = "hours", covs = c("educ", "kidslt6", "kidsge6"))
)
cases <- list()
for (sname in names(specs)) {
  s <- specs[[sname]]
  f <- reformulate(s$covs, response = s$treat)
  g <- glm(f, data = d, family = binomial("logit"), control = glm.control(epsilon = 1e-15, maxit = 200))
  ps <- fitted(g)
  Y <- d[[s$outcome]]; Tr <- d[[s$treat]]
  for (est in c("ATT", "ATE", "ATC")) for (M in c(1L, 3L)) {
    case <- sprintf("mroz_psm_%s_%s_m%d", sname, tolower(est), M)
    m1 <- Match(Y = Y, Tr = Tr, X = ps, estimand = est, M = M, replace = TRUE, ties = TRUE,
                Var.calc = 1, distance.tolerance = 0, tolerance = 0, version = "standard")
    m0 <- Match(Y = Y, Tr = Tr, X = ps, estimand = est, M = M, replace = TRUE, ties = TRUE,
                Var.calc = 0, distance.tolerance = 0, tolerance = 0, version = "standard")
    stopifnot(isTRUE(all.equal(m1$est, m0$est, tolerance = 1e-14)))
    emit(case, "psm", "ai2006", "none", "", "estimate", m1$est)
    emit(case, "psm", "ai2006", "none", "", "std_error", m1$se)
    emit(case, "psm", "homoskedastic", "none", "", "std_error", m0$se)
    emit(case, "psm", "ai2006", "none", "", "n_pairs", length(m1$index.control))
    emit(case, "psm", "ai2006", "none", "", "wnobs", m1$wnobs)
    emit(case, "psm", "ai2006", "none", clean_terms(names(coef(g))), "pscore_coef", unname(coef(g)))
    cases[[case]] <- describe("mroz", f, "psm", vcov = "ai2006, homoskedastic",
      stata = sprintf("teffects psmatch (%s) (%s %s, logit), %s nneighbor(%d)", s$outcome, s$treat,
                      paste(s$covs, collapse = " "), tolower(est), M),
      note = sprintf("Match(Y = %s, Tr = %s, X = glm-logit score, estimand = '%s', M = %d, replace = TRUE, ties = TRUE, distance.tolerance = 0, tolerance = 0); ai2006 = Var.calc 1, homoskedastic = Var.calc 0",
                     s$outcome, s$treat, est, M))
  }
}
write_outputs("psm", cases, c("Matching", "MASS"))
