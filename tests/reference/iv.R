# 2SLS references: coefficients and SEs (classical, HC1, CR1 with Stata's factors; unweighted,
# frequency and probability weights) and the first-stage and weak-instrument diagnostics, on
# Wooldridge's mroz (working women): lwage ~ exper + expersq + [educ ~ motheduc + fatheduc]
# (Introductory Econometrics, Examples 15.5 / 15.40).  Every formula is cross-checked against
# AER::ivreg, sandwich::vcovHC(type = "HC1"), sandwich::vcovCL(type = "HC1") and AER's
# summary(..., diagnostics = TRUE) (weak-instruments F, Wu-Hausman, Sargan) where they exist.
# The Kleibergen-Paap rk statistics are written out (Kleibergen & Paap 2006, canonical-correlation
# normalisation of ivreg2/ranktest); with one endogenous regressor they are checked against
# the robust Wald / score statistics of the first stage, their closed forms.
source(file.path(dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))), "common.R"))
suppressMessages({library(AER); library(sandwich)})

d0 <- read_data("mroz_iv")
d <- d0[d0$inlf == 1, ]

partial <- function(A, X1, w) A - X1 %*% solve(crossprod(X1 * w, X1), crossprod(X1 * w, A))
meat_of <- function(S, w, kind, cl = NULL) {
  if (!is.null(cl)) return(crossprod(rowsum(w * S, cl)))
  if (kind == "prob") crossprod(w * S) else crossprod(sqrt(w) * S)
}
factor_of <- function(type, N, k, G = NA) switch(type, robust = N / (N - k), cluster = G / (G - 1) * (N - 1) / (N - k))

# one 2SLS fit by formula: y, X = [X1, X2], Z = [X1, Z2]
tsls <- function(y, X1, X2, Z2, w, kind) {
  X <- cbind(X1, X2); Z <- cbind(X1, Z2)
  Pi <- solve(crossprod(Z * w, Z), crossprod(Z * w, X))
  Xh <- Z %*% Pi
  A <- solve(crossprod(Xh * w, Xh))
  b <- drop(A %*% crossprod(Xh * w, y))
  e <- drop(y - X %*% b)
  list(X = X, Z = Z, Xh = Xh, A = A, b = b, e = e, w = w, kind = kind, X1 = X1, X2 = X2, Z2 = Z2, y = y,
       N = if (kind == "freq") sum(w) else length(y))
}
iv_vcov <- function(p, type, cl = NULL) {
  k <- ncol(p$X)
  if (type == "classical") return(sum(p$w * p$e^2) / (p$N - k) * p$A)
  G <- if (is.null(cl)) NA else length(unique(cl))
  factor_of(type, p$N, k, G) * p$A %*% meat_of(p$Xh * p$e, p$w, p$kind, cl) %*% p$A
}
ols_vcov_w <- function(X, e, w, kind, type, cl = NULL) {
  A <- solve(crossprod(X * w, X)); N <- if (kind == "freq") sum(w) else nrow(X); k <- ncol(X)
  if (type == "classical") return(sum(w * e^2) / (N - k) * A)
  G <- if (is.null(cl)) NA else length(unique(cl))
  factor_of(type, N, k, G) * A %*% meat_of(X * e, w, kind, cl) %*% A
}
wald <- function(b, V) drop(t(b) %*% solve(V, b))

# Kleibergen-Paap rk statistic for H0: rank(Pi2) = K2 - 1 (Wald: unrestricted first-stage residuals;
# LM: the partialled endogenous regressors themselves, i.e. residuals under Pi2 = 0), meat without
# small-sample factors (ranktest), classical: Sigma_v (x) (Z'Z)^-1 with Sigma_v = V'V/N
kp_rk <- function(p, type, form, cl = NULL) {
  w <- p$w; X2t <- partial(p$X2, p$X1, w); Z2t <- partial(p$Z2, p$X1, w)
  K2 <- ncol(X2t); L2 <- ncol(Z2t)
  ZZ <- crossprod(Z2t * w, Z2t); Pi2 <- solve(ZZ, crossprod(Z2t * w, X2t))
  V <- if (form == "wald") X2t - Z2t %*% Pi2 else X2t
  Gm <- chol(ZZ); Fm <- chol(crossprod(X2t * w, X2t)); Fi <- solve(Fm)
  Theta <- Gm %*% Pi2 %*% Fi
  sv <- svd(Theta, nu = L2, nv = K2)
  U2 <- sv$u[, K2:L2, drop = FALSE]; vK <- sv$v[, K2]
  lam <- drop(t(U2) %*% Theta %*% vK)
  ZZi <- solve(ZZ)
  if (type == "classical") {
    Vpi <- kronecker(crossprod(V * w, V) / p$N, ZZi)
  } else {
    S <- do.call(cbind, lapply(seq_len(K2), function(j) Z2t * V[, j]))
    Vpi <- kronecker(diag(K2), ZZi) %*% meat_of(S, w, p$kind, cl) %*% kronecker(diag(K2), ZZi)
  }
  Tm <- kronecker(t(Fi), Gm)
  Om <- t(kronecker(vK, U2)) %*% Tm %*% Vpi %*% t(Tm) %*% kronecker(vK, U2)
  drop(t(lam) %*% solve(Om, lam))
}

# Hansen's J: the two-step efficient GMM criterion with S from the 2SLS residuals (ivreg2 after
# 2SLS with robust/cluster); the meat without small-sample factors
hansen_j <- function(p, cl = NULL) {
  S <- meat_of(p$Z * p$e, p$w, p$kind, cl)
  Si <- solve(S); ZX <- crossprod(p$Z * p$w, p$X); Zy <- crossprod(p$Z * p$w, p$y)
  bg <- solve(t(ZX) %*% Si %*% ZX, t(ZX) %*% Si %*% Zy)
  u <- drop(p$y - p$X %*% bg); g <- crossprod(p$Z * p$w, u)
  drop(t(g) %*% Si %*% g)
}

add_case <- function(case, p, type, wname, cl, names_x, names_z2, fit = NULL) {
  k <- ncol(p$X); L <- ncol(p$Z); K2 <- ncol(p$X2); L2 <- ncol(p$Z2); N <- p$N
  G <- if (is.null(cl)) NA else length(unique(cl))
  V <- iv_vcov(p, type, cl)
  emit_fit(case, "iv2sls", type, wname, names_x, p$b, V)
  # first stage, per endogenous regressor
  for (j in seq_len(K2)) {
    nm <- colnames(p$X2)[j]
    pij <- drop(solve(crossprod(p$Z * p$w, p$Z), crossprod(p$Z * p$w, p$X2[, j])))
    ej <- drop(p$X2[, j] - p$Z %*% pij)
    Vj <- ols_vcov_w(p$Z, ej, p$w, p$kind, type, cl)
    idx <- (ncol(p$X1) + 1):L
    emit(case, "iv2sls", type, wname, paste0(nm, ":", c(colnames(p$X1), names_z2)), "fs_estimate", pij)
    emit(case, "iv2sls", type, wname, paste0(nm, ":", c(colnames(p$X1), names_z2)), "fs_std_error", sqrt(diag(Vj)))
    emit(case, "iv2sls", type, wname, nm, "fs_f", wald(pij[idx], Vj[idx, idx]) / L2)
    xt <- partial(p$X2[, j, drop = FALSE], p$X1, p$w); zt <- partial(p$Z2, p$X1, p$w)
    r <- drop(xt - zt %*% solve(crossprod(zt * p$w, zt), crossprod(zt * p$w, xt)))
    emit(case, "iv2sls", type, wname, nm, "fs_partial_r2", 1 - sum(p$w * r^2) / sum(p$w * xt^2))
  }
  rkw <- kp_rk(p, type, "wald", cl); rkl <- kp_rk(p, type, "lm", cl)
  rkf <- if (is.null(cl)) rkw / N * (N - L) / L2 else rkw / (N - 1) * (N - L) * (G - 1) / G / L2
  emit(case, "iv2sls", type, wname, "", "kp_rk_lm", rkl)
  emit(case, "iv2sls", type, wname, "", "kp_rk_wald_f", rkf)
  cdw <- kp_rk(p, "classical", "wald")
  emit(case, "iv2sls", type, wname, "", "cragg_donald_f", cdw / N * (N - L) / L2)
  if (L2 > K2) {
    if (type == "classical") {
      a <- lm.wfit(p$Z, p$e, p$w)
      emit(case, "iv2sls", type, wname, "", "sargan", N * (1 - sum(p$w * a$residuals^2) / sum(p$w * p$e^2)))
    } else {
      emit(case, "iv2sls", type, wname, "", "hansen_j", hansen_j(p, cl))
    }
  }
  # regression-based Durbin-Wu-Hausman: the first-stage residuals added to the structural equation
  Vh <- p$X2 - p$Z %*% solve(crossprod(p$Z * p$w, p$Z), crossprod(p$Z * p$w, p$X2))
  Xa <- cbind(p$X, Vh); ba <- drop(solve(crossprod(Xa * p$w, Xa), crossprod(Xa * p$w, p$y)))
  Va <- ols_vcov_w(Xa, drop(p$y - Xa %*% ba), p$w, p$kind, type, cl)
  ia <- (k + 1):(k + K2)
  emit(case, "iv2sls", type, wname, "", "endogeneity", wald(ba[ia], Va[ia, ia]) / K2)
  if (type == "classical") emit(case, "iv2sls", type, wname, "", "nobs", N)
  # cross-checks against the packages
  if (!is.null(fit)) {
    pk <- switch(type, classical = vcov(fit), robust = vcovHC(fit, type = "HC1"),
                 cluster = vcovCL(fit, cluster = cl, type = "HC1", cadjust = TRUE))
    stopifnot(all.equal(unname(coef(fit)), unname(p$b), tolerance = 1e-8))
    stopifnot(all.equal(unname(pk), unname(V), tolerance = 1e-8))
  }
}

mk <- function(d, x1, x2, z2, w, kind) {
  X1 <- cbind(Intercept = 1, as.matrix(d[, x1, drop = FALSE])); colnames(X1)[1] <- "Intercept"
  tsls(d$lwage, X1, as.matrix(d[, x2, drop = FALSE]), as.matrix(d[, z2, drop = FALSE]), w, kind)
}

cases <- list()
specs <- list(
  mroz_iv = list(x1 = c("exper", "expersq"), x2 = "educ", z2 = c("motheduc", "fatheduc"),
                 f = lwage ~ exper + expersq + educ | exper + expersq + motheduc + fatheduc,
                 ours = "lwage ~ exper + expersq + [educ ~ motheduc + fatheduc]"),
  mroz_iv_just = list(x1 = character(0), x2 = "educ", z2 = "fatheduc", f = lwage ~ educ | fatheduc,
                      ours = "lwage ~ [educ ~ fatheduc]"),
  mroz_iv_two = list(x1 = "expersq", x2 = c("educ", "exper"), z2 = c("motheduc", "fatheduc", "huseduc", "age"),
                     f = lwage ~ expersq + educ + exper | expersq + motheduc + fatheduc + huseduc + age,
                     ours = "lwage ~ expersq + [educ + exper ~ motheduc + fatheduc + huseduc + age]")
)
for (case in names(specs)) {
  s <- specs[[case]]
  p <- mk(d, s$x1, s$x2, s$z2, rep(1, nrow(d)), "none")
  fit <- ivreg(s$f, data = d)
  names_x <- c("Intercept", s$x1, s$x2)
  for (type in c("classical", "robust", "cluster")) {
    cl <- if (type == "cluster") d$age else NULL
    add_case(case, p, type, "none", cl, names_x, s$z2, fit)
  }
  # package cross-checks of the diagnostics (classical): AER's weak-instrument F, Wu-Hausman, Sargan
  dg <- summary(fit, diagnostics = TRUE)$diagnostics
  got <- .rows$df[.rows$df$case == case & .rows$df$vcov == "classical", ]
  val <- function(q) as.numeric(got$value[got$quantity == q])
  if (length(s$x2) == 1) {
    stopifnot(abs(dg["Weak instruments", "statistic"] - val("fs_f")) < 1e-8 * val("fs_f"))
    stopifnot(abs(val("cragg_donald_f") - val("fs_f")) < 1e-8 * val("fs_f"))  # CD F = first-stage F (K2 = 1)
  }
  stopifnot(abs(dg["Wu-Hausman", "statistic"] - val("endogeneity")) < 1e-8 * val("endogeneity"))
  if (length(s$z2) > length(s$x2)) stopifnot(abs(dg["Sargan", "statistic"] - val("sargan")) < 1e-8 * val("sargan"))
  cases[[case]] <- describe("mroz_iv", s$ours, "iv2sls", cluster = "age",
                            stata = "ivreg2 lwage x1 (endog = z) if inlf == 1, small [robust|cluster(age)] first",
                            note = "working women (inlf == 1); fs_* are first-stage quantities per endogenous regressor")
}

# weights on the main case: frequency weights (= replicated rows) and probability weights
s <- specs$mroz_iv
pf <- mk(d, s$x1, s$x2, s$z2, d$fw, "freq")
rep_d <- replicate_rows(d, d$fw)
fit_rep <- ivreg(s$f, data = rep_d)
stopifnot(all.equal(unname(coef(fit_rep)), unname(pf$b), tolerance = 1e-8))
stopifnot(all.equal(unname(vcov(fit_rep)), unname(iv_vcov(pf, "classical")), tolerance = 1e-8))
stopifnot(all.equal(unname(vcovHC(fit_rep, type = "HC1")), unname(iv_vcov(pf, "robust")), tolerance = 1e-8))
for (type in c("classical", "robust", "cluster")) {
  add_case("mroz_iv", pf, type, "freq", if (type == "cluster") d$age else NULL, c("Intercept", s$x1, s$x2), s$z2)
}
pp <- mk(d, s$x1, s$x2, s$z2, d$pw, "prob")
fit_pw <- ivreg(s$f, data = d, weights = pw)
stopifnot(all.equal(unname(coef(fit_pw)), unname(pp$b), tolerance = 1e-8))
n <- nrow(d); kk <- ncol(pp$X)
stopifnot(all.equal(unname(vcovHC(fit_pw, type = "HC0")) * n / (n - kk), unname(iv_vcov(pp, "robust")), tolerance = 1e-8))
for (type in c("robust", "cluster")) {
  add_case("mroz_iv", pp, type, "prob", if (type == "cluster") d$age else NULL, c("Intercept", s$x1, s$x2), s$z2)
}
cases$mroz_iv$weights <- "freq: fw, prob: pw"

write_outputs("iv", cases, c("AER", "sandwich"))
