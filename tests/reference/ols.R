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

# unweighted: formulas against lm + sandwich
p <- ols_parts(f, d)
fit <- lm(f, d)
stopifnot(all.equal(unname(coef(fit)), unname(p$b), tolerance = 1e-12))
stopifnot(all.equal(unname(vcov(fit)), unname(ols_vcov(p, "classical", "none")), tolerance = 1e-12))
stopifnot(all.equal(unname(vcovHC(fit, type = "HC1")), unname(ols_vcov(p, "robust", "none")), tolerance = 1e-12))
stopifnot(all.equal(unname(vcovCL(fit, cluster = ~age, type = "HC1")),
                    unname(ols_vcov(p, "cluster", "none", d$age)), tolerance = 1e-12))
terms <- clean_terms(colnames(p$X))
for (v in c("classical", "robust", "cluster")) emit_fit("mroz_ols", "ols", v, "none", terms, p$b, ols_vcov(p, v, "none", d$age))
emit("mroz_ols", "ols", "classical", "none", "", "nobs", nrow(d))
emit("mroz_ols", "ols", "classical", "none", "", "r2", summary(fit)$r.squared)

# frequency weights: the replicated data are the definition; the weighted formulas must agree
rep_d <- replicate_rows(d, d$fw)
pr <- ols_parts(f, rep_d)
pw <- ols_parts(f, d, d$fw)
for (v in c("classical", "robust", "cluster")) {
  Vr <- ols_vcov(pr, v, "none", rep_d$age)
  stopifnot(all.equal(unname(Vr), unname(ols_vcov(pw, v, "freq", d$age)), tolerance = 1e-10))
  emit_fit("mroz_ols", "ols", v, "freq", terms, pr$b, Vr)
}

# probability weights: WLS point estimates; sandwich with n = rows (Stata pweights)
pp <- ols_parts(f, d, d$pw)
fitw <- lm(f, d, weights = pw)
stopifnot(all.equal(unname(vcovHC(fitw, type = "HC1")), unname(ols_vcov(pp, "robust", "prob")), tolerance = 1e-12))
stopifnot(all.equal(unname(vcovCL(fitw, cluster = ~age, type = "HC1")),
                    unname(ols_vcov(pp, "cluster", "prob", d$age)), tolerance = 1e-12))
for (v in c("robust", "cluster")) emit_fit("mroz_ols", "ols", v, "prob", terms, pp$b, ols_vcov(pp, v, "prob", d$age))

write_outputs("ols", list(mroz_ols = paste(deparse(f), "on mroz; cluster = age; fw, pw as in export_data.py")),
              c("sandwich"))
