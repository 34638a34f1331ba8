# Multinomial logit references: nnet::multinom (reltol 1e-14, maxit 1000), refined by Newton with
# the analytic score and Hessian (outcome-major parameter order: for each non-base outcome, its
# coefficients); classical, robust and cluster SEs; frequency and probability weights; AMEs per
# outcome; two base outcomes; Fishing (income) and MASS's housing (real frequency weights).
source(file.path(dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))), "common.R"))
suppressMessages(library(nnet))

d <- read_mroz()
f <- work3 ~ nwifeinc + educ + exper + age + kidslt6 + city

softmax_probs <- function(theta, X, J, base) {
  k <- ncol(X)
  B <- matrix(0, J, k)
  B[setdiff(1:J, base), ] <- matrix(theta, J - 1, k, byrow = TRUE)
  E <- exp(X %*% t(B))
  E / rowSums(E)
}

# y: outcome index 1..J; theta outcome-major (for each non-base outcome, its k coefficients)
#   l_i = log P_i,y_i,  score for outcome a: (1[y_i = a] - P_ia) x_i
#   Hessian block (a, b) = -sum_i w_i P_ia (1[a = b] - P_ib) x_i x_i'
mlogit_scores <- function(X, y, J, base) {
  Y <- outer(y, 1:J, "==") * 1
  function(theta) {
    P <- softmax_probs(theta, X, J, base)
    R <- (Y - P)[, setdiff(1:J, base), drop = FALSE]
    do.call(cbind, lapply(seq_len(ncol(R)), function(j) X * R[, j]))
  }
}

mlogit_hessian <- function(X, J, base, w) {
  k <- ncol(X); out <- setdiff(1:J, base)
  function(theta) {
    P <- softmax_probs(theta, X, J, base)
    H <- matrix(0, k * (J - 1), k * (J - 1))
    for (a in seq_along(out)) for (b in seq_along(out)) {
      wt <- w * P[, out[a]] * ((a == b) - P[, out[b]])
      H[(a - 1) * k + 1:k, (b - 1) * k + 1:k] <- -crossprod(X * wt, X)
    }
    H
  }
}

# base: the outcome value (as in the data) taken as the base
fit_mlogit <- function(f, d, base, w = NULL) {
  X <- model.matrix(f, d); yv <- model.response(model.frame(f, d))
  lev <- sort(unique(yv)); y <- match(yv, lev); J <- length(lev); bi <- match(base, lev)
  if (is.null(w)) w <- rep(1, nrow(X))
  dd <- cbind(d, .y = relevel(factor(yv, levels = lev), ref = as.character(base)), .w = w)
  mn <- multinom(update(f, .y ~ .), data = dd, weights = .w, trace = FALSE, maxit = 1000, reltol = 1e-14, Hess = TRUE)
  stopifnot(identical(rownames(coef(mn)), as.character(lev[-bi])))
  start <- as.vector(t(coef(mn)))
  sc <- mlogit_scores(X, y, J, bi)
  hess <- mlogit_hessian(X, J, bi, w)
  scale <- rep(col_scale(X), J - 1)
  r <- ml_refine(start, sc, w, scale, hessian = hess)
  stopifnot(all.equal(r$theta, start, tolerance = 1e-4))
  loglik <- function(theta) sum(w * log(softmax_probs(theta, X, J, bi)[cbind(seq_along(y), y)]))
  ll <- loglik(r$theta)
  stopifnot(all.equal(ll, as.numeric(logLik(mn)), tolerance = 1e-8))
  check_scores(loglik, sc, r$theta, w)
  check_hessian(r$H, sc, r$theta, w, scale)
  terms <- as.vector(t(outer(as.character(lev[-bi]), clean_terms(colnames(X)), paste, sep = ":")))
  list(X = X, y = y, lev = lev, w = w, J = J, base = bi, theta = r$theta, H = r$H, S = sc(r$theta),
       terms = terms, ll = ll, mn = mn)
}

# AMEs on P(y = j) for every outcome j (terms '<j>:<regressor>'):
#   continuous x: mean of dP_j/dx = P_j (b_jx - sum_m P_m b_mx);  binary x: mean of P_j(x = 1) - P_j(x = 0)
mlogit_ame <- function(m, binary = character()) {
  k <- ncol(m$X); J <- m$J
  function(theta) {
    P <- softmax_probs(theta, m$X, J, m$base)
    B <- matrix(0, J, k); B[-m$base, ] <- matrix(theta, J - 1, k, byrow = TRUE)
    out <- c()
    for (v in setdiff(colnames(m$X), c("(Intercept)", binary))) {
      bx <- B[, which(colnames(m$X) == v)]
      out <- c(out, setNames(colMeans(P * (matrix(bx, nrow(P), J, byrow = TRUE) - drop(P %*% bx))), paste0(m$lev, ":", v)))
    }
    for (v in binary) {
      X1 <- m$X; X1[, v] <- 1; X0 <- m$X; X0[, v] <- 0
      out <- c(out, setNames(colMeans(softmax_probs(theta, X1, J, m$base) - softmax_probs(theta, X0, J, m$base)), paste0(m$lev, ":", v)))
    }
    out
  }
}

emit_ame <- function(case, m, ame, vcovs, cluster = NULL) {
  for (v in vcovs) {
    V <- ml_vcov(m$H, m$S, m$w, v, cluster)
    est <- ame(m$theta)
    emit(case, "mlogit", v, "none", names(est), "ame", est)
    emit(case, "mlogit", v, "none", names(est), "ame_se", delta_se(ame, m$theta, V, rep(col_scale(m$X), m$J - 1)))
  }
}

stata_note <- "delta-method AME SEs with a central-difference Jacobian, step 1e-6 / max(1, max|x_j|)"
cases <- list(
  mroz_mlogit = describe("mroz", f, "mlogit", weights = "none; freq = fw; prob = pw", cluster = "age",
                         stata = "mlogit work3 nwifeinc educ exper age kidslt6 i.city [fw=fw | pw=pw], baseoutcome(0) vce(oim | robust | cluster age); margins, dydx(*) predict(outcome(j))",
                         note = paste("work3 as in export_data.py; base outcome 0; AMEs classical and cluster;", stata_note)),
  mroz_mlogit_base2 = describe("mroz", f, "mlogit", vcov = "classical",
                               stata = "mlogit work3 nwifeinc educ exper age kidslt6 i.city, baseoutcome(2)", note = "base outcome 2"))
m <- fit_mlogit(f, d, base = 0)
n <- nrow(d)
for (v in c("classical", "robust", "cluster")) emit_fit("mroz_mlogit", "mlogit", v, "none", m$terms, m$theta, ml_vcov(m$H, m$S, m$w, v, d$age))
emit("mroz_mlogit", "mlogit", "classical", "none", "", "loglik", m$ll)
emit("mroz_mlogit", "mlogit", "classical", "none", "", "nobs", n)
# package cross-check of the classical SEs (nnet's Hessian, at nnet's own optimum)
stopifnot(all.equal(unname(sqrt(diag(solve(m$mn$Hessian)))), unname(sqrt(diag(ml_vcov(m$H, m$S, m$w, "classical")))), tolerance = 1e-4))

rd <- replicate_rows(d, d$fw)
mr <- fit_mlogit(f, rd, base = 0)
mf <- fit_mlogit(f, d, base = 0, w = d$fw)   # multinom(weights = fw) is the replicated fit
stopifnot(all.equal(mr$theta, mf$theta, tolerance = 1e-9), all.equal(mr$ll, mf$ll, tolerance = 1e-12))
for (v in c("classical", "robust", "cluster")) emit_fit("mroz_mlogit", "mlogit", v, "freq", mr$terms, mr$theta, ml_vcov(mr$H, mr$S, mr$w, v, rd$age))
emit("mroz_mlogit", "mlogit", "classical", "freq", "", "loglik", mr$ll)
emit("mroz_mlogit", "mlogit", "classical", "freq", "", "nobs", sum(d$fw))
mp <- fit_mlogit(f, d, base = 0, w = d$pw)
for (v in c("robust", "cluster")) emit_fit("mroz_mlogit", "mlogit", v, "prob", mp$terms, mp$theta, ml_vcov(mp$H, mp$S, mp$w, v, d$age))
emit("mroz_mlogit", "mlogit", "robust", "prob", "", "loglik", mp$ll)
emit("mroz_mlogit", "mlogit", "robust", "prob", "", "nobs", n)

m2 <- fit_mlogit(f, d, base = 2)
emit_fit("mroz_mlogit_base2", "mlogit", "classical", "none", m2$terms, m2$theta, ml_vcov(m2$H, m2$S, m2$w, "classical"))
emit("mroz_mlogit_base2", "mlogit", "classical", "none", "", "loglik", m2$ll)
emit("mroz_mlogit_base2", "mlogit", "classical", "none", "", "nobs", n)
stopifnot(all.equal(m$ll, m2$ll, tolerance = 1e-12))

emit_ame("mroz_mlogit", m, mlogit_ame(m, binary = "city"), c("classical", "cluster"), d$age)

# Fishing (Cameron & Trivedi ch. 15): mode on income_k, base outcome 1 (beach); classical and
# robust, AMEs of income_k on every outcome
fi <- read_data("fishing")
ff <- mode ~ income_k
cases$fishing_mlogit <- describe("fishing", ff, "mlogit", vcov = "classical, robust",
                                 stata = "mlogit mode income_k, baseoutcome(1) vce(oim | robust); margins, dydx(income_k) predict(outcome(j))",
                                 note = paste("base outcome 1 (beach); AMEs classical and robust;", stata_note))
mfi <- fit_mlogit(ff, fi, base = 1)
for (v in c("classical", "robust")) emit_fit("fishing_mlogit", "mlogit", v, "none", mfi$terms, mfi$theta, ml_vcov(mfi$H, mfi$S, mfi$w, v))
emit("fishing_mlogit", "mlogit", "classical", "none", "", "loglik", mfi$ll)
emit("fishing_mlogit", "mlogit", "classical", "none", "", "nobs", nrow(fi))
emit_ame("fishing_mlogit", mfi, mlogit_ame(mfi), c("classical", "robust"))

# MASS's housing, multinom(Sat ~ Infl + Type + Cont, weights = Freq): real frequency weights, base
# outcome 0 (Low); the definition is the replicated fit, equal to multinom(weights = freq) (checked)
h <- read_data("housing")
fh <- sat ~ infl_medium + infl_high + type_apartment + type_atrium + type_terrace + cont_high
cases$housing_mlogit <- describe("housing", fh, "mlogit", weights = "freq = freq", vcov = "classical, robust",
                                 stata = "mlogit sat i.infl i.type i.cont [fw=freq], baseoutcome(0) vce(oim | robust)",
                                 note = "MASS (Venables & Ripley 7.3) multinom example; base outcome 0 (Low)")
hr <- replicate_rows(h, h$freq)
mh <- fit_mlogit(fh, hr, base = 0)
mhw <- fit_mlogit(fh, h, base = 0, w = h$freq)
stopifnot(all.equal(mh$theta, mhw$theta, tolerance = 1e-9), all.equal(mh$ll, mhw$ll, tolerance = 1e-12))
for (v in c("classical", "robust")) emit_fit("housing_mlogit", "mlogit", v, "freq", mh$terms, mh$theta, ml_vcov(mh$H, mh$S, mh$w, v))
emit("housing_mlogit", "mlogit", "classical", "freq", "", "loglik", mh$ll)
emit("housing_mlogit", "mlogit", "classical", "freq", "", "nobs", sum(h$freq))

write_outputs("mlogit", cases, c("nnet", "numDeriv"))
