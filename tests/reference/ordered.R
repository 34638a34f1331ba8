# Ordered probit / logit references: MASS::polr's parametrisation P(y <= j) = F(zeta_j - x'b)
# (= Stata's cutpoints), refined by Newton with the analytic score; classical, robust and cluster
# SEs; frequency and probability weights; average marginal effects per outcome.
source(file.path(dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))), "common.R"))
suppressMessages(library(MASS))

d <- read_mroz()
f <- hours_cat ~ nwifeinc + educ + exper + age + kidslt6 + city

F_ <- list(probit = pnorm, logistic = plogis)
f_ <- list(probit = dnorm, logistic = dlogis)

ordered_scores <- function(method, X, y, J) {
  F <- F_[[method]]; fd <- f_[[method]]
  k <- ncol(X)
  function(theta) {
    b <- theta[1:k]; z <- c(-Inf, theta[(k + 1):(k + J - 1)], Inf)
    eta <- drop(X %*% b)
    up <- z[y + 2] - eta; lo <- z[y + 1] - eta
    p <- F(up) - F(lo)
    fu <- ifelse(is.finite(up), fd(up), 0); fl <- ifelse(is.finite(lo), fd(lo), 0)
    S <- matrix(0, nrow(X), k + J - 1)
    S[, 1:k] <- -X * ((fu - fl) / p)
    for (j in 1:(J - 1)) S[, k + j] <- ((y == j - 1) * fu - (y == j) * fl) / p
    S
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
  r <- ml_refine(c(coef(pol), pol$zeta), sc, w, c(col_scale(X), rep(1, J - 1)))
  stopifnot(all.equal(unname(r$theta), unname(c(coef(pol), pol$zeta)), tolerance = 1e-4))
  S <- sc(r$theta)
  eta <- drop(X %*% r$theta[1:ncol(X)]); z <- c(-Inf, r$theta[-(1:ncol(X))], Inf)
  ll <- sum(w * log(F_[[method]](z[y + 2] - eta) - F_[[method]](z[y + 1] - eta)))
  list(X = X, y = y, w = w, J = J, theta = r$theta, H = r$H, S = S, polr = pol, ll = ll)
}

cases <- list()
for (method in c("probit", "logistic")) {
  model <- if (method == "probit") "oprobit" else "ologit"
  case <- paste0("mroz_", model)
  cases[[case]] <- paste(deparse(f), "on mroz; hours_cat as in export_data.py; cluster = age")
  m <- fit_ordered(f, d, method)
  terms <- c(colnames(m$X), paste0("cut", 1:(m$J - 1)))
  # package cross-check: polr's numerical-Hessian covariance and log-likelihood
  stopifnot(all.equal(unname(vcov(m$polr)), unname(ml_vcov(m$H, m$S, m$w, "classical")), tolerance = 1e-3))
  stopifnot(all.equal(m$ll, as.numeric(logLik(m$polr)), tolerance = 1e-7))
  for (v in c("classical", "robust", "cluster")) emit_fit(case, model, v, "none", terms, m$theta, ml_vcov(m$H, m$S, m$w, v, d$age))
  emit(case, model, "classical", "none", "", "loglik", m$ll)

  rd <- replicate_rows(d, d$fw)
  mr <- fit_ordered(f, rd, method)
  for (v in c("classical", "robust", "cluster")) emit_fit(case, model, v, "freq", terms, mr$theta, ml_vcov(mr$H, mr$S, mr$w, v, rd$age))
  emit(case, model, "classical", "freq", "", "loglik", mr$ll)

  mp <- fit_ordered(f, d, method, d$pw)
  for (v in c("robust", "cluster")) emit_fit(case, model, v, "prob", terms, mp$theta, ml_vcov(mp$H, mp$S, mp$w, v, d$age))

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

write_outputs("ordered", cases, c("MASS"))
