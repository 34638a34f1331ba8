# Ordered probit / logit references: MASS::polr's parametrisation P(y <= j) = F(zeta_j - x'b)
# (= Stata's cutpoints), refined by Newton with the analytic score; classical, robust and cluster
# SEs; frequency and probability weights; average marginal effects per outcome.
source(file.path(dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))), "common.R"))
suppressMessages(library(MASS))

d <- read_mroz()
f <- hours_cat ~ nwifeinc + educ + exper + age + kidslt6 + city

F_ <- list(probit = pnorm, logistic = plogis)
f_ <- list(probit = dnorm, logistic = dlogis)

ddens_ <- list(probit = function(t) -t * dnorm(t), logistic = function(t) dlogis(t) * (1 - 2 * plogis(t)))

# Per observation i with outcome y_i in 0..J-1, theta = (b, cut1..cut(J-1)), cut0 = -Inf, cutJ = Inf:
#   l_i = log p_i,  p_i = F(u_i) - F(v_i),  u_i = cut(y_i + 1) - x_i'b,  v_i = cut(y_i) - x_i'b
#   a_i = du_i/dtheta = (-x_i, e_(y_i + 1)),  c_i = dv_i/dtheta = (-x_i, e_(y_i))   (e_0 = e_J = 0)
#   score   s_i = (f(u_i) a_i - f(v_i) c_i) / p_i
#   Hessian d2 l_i = (f'(u_i) a_i a_i' - f'(v_i) c_i c_i') / p_i - s_i s_i'
# with f(+-Inf) = f'(+-Inf) = 0.  The score is checked against numDeriv, the Hessian against a
# central-difference Jacobian of the score.
ordered_parts <- function(method, X, y, J) {
  F <- F_[[method]]; fd <- f_[[method]]; fdd <- ddens_[[method]]
  k <- ncol(X)
  E <- outer(y, 1:(J - 1), "==") * 1          # e_(y_i): the cut below
  Eu <- outer(y + 1, 1:(J - 1), "==") * 1     # e_(y_i + 1): the cut above
  A <- cbind(-X, Eu); C <- cbind(-X, E)
  function(theta) {
    b <- theta[1:k]; z <- c(-Inf, theta[(k + 1):(k + J - 1)], Inf)
    eta <- drop(X %*% b)
    up <- z[y + 2] - eta; lo <- z[y + 1] - eta
    p <- F(up) - F(lo)
    fin <- function(g, t) ifelse(is.finite(t), g(pmin(pmax(t, -1e300), 1e300)), 0)
    fu <- fin(fd, up); fl <- fin(fd, lo); du <- fin(fdd, up); dl <- fin(fdd, lo)
    list(S = (fu * A - fl * C) / p, A = A, C = C, p = p, du = du, dl = dl)
  }
}

ordered_scores <- function(method, X, y, J) {
  parts <- ordered_parts(method, X, y, J)
  function(theta) parts(theta)$S
}

ordered_hessian <- function(method, X, y, J, w) {
  parts <- ordered_parts(method, X, y, J)
  function(theta) {
    q <- parts(theta)
    crossprod(q$A * (w * q$du / q$p), q$A) - crossprod(q$C * (w * q$dl / q$p), q$C) - crossprod(q$S * w, q$S)
  }
}

fit_ordered <- function(f, d, method, w = NULL) {
  X <- model.matrix(f, d)[, -1, drop = FALSE]
  y <- model.response(model.frame(f, d))
  J <- length(unique(y))
  if (is.null(w)) w <- rep(1, nrow(X))
  dd <- cbind(d, .y = factor(y), .w = w)
  pol <- suppressWarnings(polr(update(f, .y ~ .), data = dd, weights = .w, method = method, Hess = TRUE))
  sc <- ordered_scores(method, X, y, J)
  hess <- ordered_hessian(method, X, y, J, w)
  scale <- c(col_scale(X), rep(1, J - 1))
  r <- ml_refine(c(coef(pol), pol$zeta), sc, w, scale, hessian = hess)
  stopifnot(all.equal(unname(r$theta), unname(c(coef(pol), pol$zeta)), tolerance = 1e-4))
  loglik <- function(theta) {
    eta <- drop(X %*% theta[1:ncol(X)]); z <- c(-Inf, theta[-(1:ncol(X))], Inf)
    sum(w * log(F_[[method]](z[y + 2] - eta) - F_[[method]](z[y + 1] - eta)))
  }
  check_scores(loglik, sc, r$theta, w)
  check_hessian(r$H, sc, r$theta, w, scale)
  list(X = X, y = y, w = w, J = J, theta = r$theta, H = r$H, S = sc(r$theta), polr = pol, ll = loglik(r$theta))
}

cases <- list()
for (method in c("probit", "logistic")) {
  model <- if (method == "probit") "oprobit" else "ologit"
  case <- paste0("mroz_", model)
  cases[[case]] <- describe("mroz", f, model, weights = "none; freq = fw; prob = pw", cluster = "age",
                           stata = sprintf("%s hours_cat nwifeinc educ exper age kidslt6 i.city [fw=fw | pw=pw], vce(oim | robust | cluster age); margins, dydx(*) predict(outcome(j))", model),
                           note = "hours_cat as in export_data.py; AMEs (classical, cluster) on P(y = j), terms '<j>:<regressor>'; delta-method SE with a central-difference Jacobian, step 1e-6 / max(1, max|x_j|)")
  m <- fit_ordered(f, d, method)
  terms <- c(colnames(m$X), paste0("cut", 1:(m$J - 1)))
  # package cross-check: polr's numerical-Hessian covariance and log-likelihood
  stopifnot(all.equal(unname(vcov(m$polr)), unname(ml_vcov(m$H, m$S, m$w, "classical")), tolerance = 1e-3))
  stopifnot(all.equal(m$ll, as.numeric(logLik(m$polr)), tolerance = 1e-7))
  # sandwich's estfun/bread methods for polr (bread from polr's numerical Hessian, hence loose)
  n <- nrow(d)
  stopifnot(all.equal(unname(sandwich::sandwich(m$polr)) * n / (n - 1), unname(ml_vcov(m$H, m$S, m$w, "robust")), tolerance = 1e-3))
  for (v in c("classical", "robust", "cluster")) emit_fit(case, model, v, "none", terms, m$theta, ml_vcov(m$H, m$S, m$w, v, d$age))
  emit(case, model, "classical", "none", "", "loglik", m$ll)
  emit(case, model, "classical", "none", "", "nobs", n)

  rd <- replicate_rows(d, d$fw)
  mr <- fit_ordered(f, rd, method)
  for (v in c("classical", "robust", "cluster")) emit_fit(case, model, v, "freq", terms, mr$theta, ml_vcov(mr$H, mr$S, mr$w, v, rd$age))
  emit(case, model, "classical", "freq", "", "loglik", mr$ll)
  emit(case, model, "classical", "freq", "", "nobs", sum(d$fw))

  mp <- fit_ordered(f, d, method, d$pw)
  for (v in c("robust", "cluster")) emit_fit(case, model, v, "prob", terms, mp$theta, ml_vcov(mp$H, mp$S, mp$w, v, d$age))
  emit(case, model, "robust", "prob", "", "loglik", mp$ll)
  emit(case, model, "robust", "prob", "", "nobs", n)

  # AMEs on P(y = j) for every outcome j: derivatives, and the 0 -> 1 change for city
  F <- F_[[method]]; fd <- f_[[method]]
  k <- ncol(m$X); J <- m$J
  probs <- function(theta, X) {
    z <- c(-Inf, theta[(k + 1):(k + J - 1)], Inf); eta <- drop(X %*% theta[1:k])
    sapply(1:J, function(j) F(z[j + 1] - eta) - F(z[j] - eta))
  }
  ame <- function(theta) {
    z <- c(-Inf, theta[(k + 1):(k + J - 1)], Inf); eta <- drop(m$X %*% theta[1:k])
    dens <- sapply(1:(J + 1), function(j) if (is.finite(z[j])) fd(z[j] - eta) else rep(0, length(eta)))
    out <- c()
    for (v in setdiff(colnames(m$X), "city")) {
      bv <- theta[which(colnames(m$X) == v)]
      out <- c(out, setNames(sapply(1:J, function(j) mean(-(dens[, j + 1] - dens[, j]) * bv)), paste0(0:(J - 1), ":", v)))
    }
    X1 <- m$X; X1[, "city"] <- 1; X0 <- m$X; X0[, "city"] <- 0
    c(out, setNames(colMeans(probs(theta, X1) - probs(theta, X0)), paste0(0:(J - 1), ":city")))
  }
  for (v in c("classical", "cluster")) {
    V <- ml_vcov(m$H, m$S, m$w, v, d$age)
    est <- ame(m$theta)
    emit(case, model, v, "none", names(est), "ame", est)
    emit(case, model, v, "none", names(est), "ame_se", delta_se(ame, m$theta, V, c(col_scale(m$X), rep(1, J - 1))))
  }
}

# MASS's housing example, polr(Sat ~ Infl + Type + Cont, weights = Freq): real frequency weights.
# The definition is the fit on the 1681 replicated respondents; polr(weights = freq) on the 72
# cells gives the same estimates and log-likelihood (checked).  classical and robust only.
h <- read_data("housing")
fh <- sat ~ infl_medium + infl_high + type_apartment + type_atrium + type_terrace + cont_high
hr <- replicate_rows(h, h$freq)
for (method in c("probit", "logistic")) {
  model <- if (method == "probit") "oprobit" else "ologit"
  case <- paste0("housing_", model)
  cases[[case]] <- describe("housing", fh, model, weights = "freq = freq", vcov = "classical, robust",
                           stata = sprintf("%s sat i.infl i.type i.cont [fw=freq], vce(oim | robust)", model),
                           note = "MASS (Venables & Ripley 7.3) polr example; dummies = R's treatment contrasts")
  m <- fit_ordered(fh, hr, method)
  mw <- fit_ordered(fh, h, method, h$freq)
  stopifnot(all.equal(m$theta, mw$theta, tolerance = 1e-9), all.equal(m$ll, mw$ll, tolerance = 1e-12))
  stopifnot(all.equal(m$ll, as.numeric(logLik(mw$polr)), tolerance = 1e-7))
  terms <- c(colnames(m$X), paste0("cut", 1:(m$J - 1)))
  for (v in c("classical", "robust")) emit_fit(case, model, v, "freq", terms, m$theta, ml_vcov(m$H, m$S, m$w, v))
  emit(case, model, "classical", "freq", "", "loglik", m$ll)
  emit(case, model, "classical", "freq", "", "nobs", sum(h$freq))
}

write_outputs("ordered", cases, c("MASS", "sandwich", "numDeriv"))
