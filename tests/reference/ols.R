# OLS / WLS references: classical, HC1 and CR1 (Stata's factors), unweighted, frequency and
# probability weights.  Cross-checked against lm(), sandwich::vcovHC(type = "HC1") and
# sandwich::vcovCL(type = "HC1") (which applies G/(G-1) (N-1)/(N-K), Stata's factor).
source(file.path(dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))), "common.R"))
suppressMessages(library(sandwich))

d <- read_mroz()
f <- hours ~ nwifeinc + educ + exper + expersq + age + kidslt6 + kidsge6

ols_parts <- function(f, d, w = NULL) {
  X <- model.matrix(f, d); y <- model.response(model.frame(f, d))
  if (is.null(w)) w <- rep(1, nrow(X))
  XtWX_inv <- solve(crossprod(X * w, X))
  b <- drop(XtWX_inv %*% crossprod(X * w, y))
  e <- drop(y - X %*% b)
  list(X = X, b = b, e = e, w = w, A = XtWX_inv)
}

ols_vcov <- function(p, type, kind, cluster = NULL) {
  n <- nrow(p$X); k <- ncol(p$X)
  N <- if (kind == "freq") sum(p$w) else n
  if (type == "classical") return(sum(p$w * p$e^2) / (N - k) * p$A)
  G <- if (kind == "freq") sqrt(p$w) * p$X * p$e else p$w * p$X * p$e
  if (type == "robust") return(N / (N - k) * p$A %*% crossprod(G) %*% p$A)
  Sg <- rowsum(p$w * p$X * p$e, cluster)
  g <- nrow(Sg)
  g / (g - 1) * (N - 1) / (N - k) * p$A %*% crossprod(Sg) %*% p$A
}

# one OLS case: unweighted (classical, robust, cluster), frequency weights (the same three) and
# probability weights (robust, cluster), every formula checked against lm + sandwich
ols_case <- function(case, d, f, cl) {
  cluster <- d[[cl]]
  # unweighted: formulas against lm + sandwich; vcovCL(type = "HC1", cadjust = TRUE) is
  # G/(G-1) (N-1)/(N-K) B M B, Stata's regress, vce(cluster) factor (checked here)
  p <- ols_parts(f, d)
  fit <- lm(f, d)
  stopifnot(all.equal(unname(coef(fit)), unname(p$b), tolerance = 1e-12))
  stopifnot(all.equal(unname(vcov(fit)), unname(ols_vcov(p, "classical", "none")), tolerance = 1e-12))
  stopifnot(all.equal(unname(vcovHC(fit, type = "HC1")), unname(ols_vcov(p, "robust", "none")), tolerance = 1e-12))
  stopifnot(all.equal(unname(vcovCL(fit, cluster = cluster, type = "HC1", cadjust = TRUE)),
                      unname(ols_vcov(p, "cluster", "none", cluster)), tolerance = 1e-12))
  terms <- clean_terms(colnames(p$X))
  for (v in c("classical", "robust", "cluster")) emit_fit(case, "ols", v, "none", terms, p$b, ols_vcov(p, v, "none", cluster))
  emit(case, "ols", "classical", "none", "", "nobs", nrow(d))
  emit(case, "ols", "classical", "none", "", "r2", summary(fit)$r.squared)

  # frequency weights: the replicated data are the definition (Stata [fw], N = sum w); the
  # weighted formulas and lm(weights = fw) must agree
  rep_d <- replicate_rows(d, d$fw)
  pr <- ols_parts(f, rep_d)
  pw <- ols_parts(f, d, d$fw)
  stopifnot(all.equal(unname(coef(lm(f, d, weights = fw))), unname(pr$b), tolerance = 1e-10))
  for (v in c("classical", "robust", "cluster")) {
    Vr <- ols_vcov(pr, v, "none", rep_d[[cl]])
    stopifnot(all.equal(unname(Vr), unname(ols_vcov(pw, v, "freq", cluster)), tolerance = 1e-10))
    emit_fit(case, "ols", v, "freq", terms, pr$b, Vr)
  }
  emit(case, "ols", "classical", "freq", "", "nobs", sum(d$fw))

  # probability weights: WLS point estimates; sandwich with n = rows (Stata pweights)
  pp <- ols_parts(f, d, d$pw)
  fitw <- lm(f, d, weights = pw)
  stopifnot(all.equal(unname(vcovHC(fitw, type = "HC1")), unname(ols_vcov(pp, "robust", "prob")), tolerance = 1e-12))
  stopifnot(all.equal(unname(vcovCL(fitw, cluster = cluster, type = "HC1", cadjust = TRUE)),
                      unname(ols_vcov(pp, "cluster", "prob", cluster)), tolerance = 1e-12))
  for (v in c("robust", "cluster")) emit_fit(case, "ols", v, "prob", terms, pp$b, ols_vcov(pp, v, "prob", cluster))
  emit(case, "ols", "robust", "prob", "", "nobs", nrow(d))
}

f_wage <- lwage ~ educ + exper + expersq + tenure + female + married + nonwhite
ols_case("mroz_ols", d, f, "age")
ols_case("wage1_ols", read_data("wage1"), f_wage, "cell")

write_outputs("ols", list(
  mroz_ols = describe("mroz", f, "ols", weights = "none; freq = fw; prob = pw", cluster = "age",
                      stata = "regress hours nwifeinc educ exper expersq age kidslt6 kidsge6 [fw=fw | pw=pw], vce(ols | robust | cluster age)"),
  wage1_ols = describe("wage1", f_wage, "ols", weights = "none; freq = fw; prob = pw", cluster = "cell (industry-by-region, 28 groups)",
                       stata = "regress lwage educ exper expersq tenure female married nonwhite [fw=fw | pw=pw], vce(ols | robust | cluster cell)")),
  c("stats", "sandwich"))
