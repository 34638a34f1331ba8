# Multinomial logit references: nnet::multinom, refined by Newton with the analytic score
# (outcome-major parameter order: for each non-base outcome, its coefficients); classical,
# robust and cluster SEs; frequency and probability weights; AMEs per outcome; two base outcomes.
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

mlogit_scores <- function(X, y, J, base) {
  Y <- outer(y, 0:(J - 1), "==") * 1
  function(theta) {
    P <- softmax_probs(theta, X, J, base)
    R <- (Y - P)[, setdiff(1:J, base), drop = FALSE]
    do.call(cbind, lapply(seq_len(ncol(R)), function(j) X * R[, j]))
  }
}

fit_mlogit <- function(f, d, base, w = NULL) {
  X <- model.matrix(f, d); y <- model.response(model.frame(f, d)); J <- length(unique(y))
  if (is.null(w)) w <- rep(1, nrow(X))
  dd <- cbind(d, .y = relevel(factor(y), ref = as.character(base - 1)), .w = w)
  mn <- multinom(update(f, .y ~ .), data = dd, weights = .w, trace = FALSE, maxit = 1000, reltol = 1e-14, Hess = TRUE)
  start <- as.vector(t(coef(mn)))
  sc <- mlogit_scores(X, y, J, base)
  r <- ml_refine(start, sc, w, rep(col_scale(X), J - 1))
  stopifnot(all.equal(unname(r$theta), start, tolerance = 1e-4))
  P <- softmax_probs(r$theta, X, J, base)
  ll <- sum(w * log(P[cbind(seq_along(y), y + 1)]))
  stopifnot(all.equal(ll, as.numeric(logLik(mn)), tolerance = 1e-8))
  lev <- setdiff(0:(J - 1), base - 1)
  terms <- as.vector(t(outer(as.character(lev), clean_terms(colnames(X)), paste, sep = ":")))
  list(X = X, y = y, w = w, J = J, theta = r$theta, H = r$H, S = sc(r$theta), terms = terms, ll = ll, mn = mn)
}

cases <- list(mroz_mlogit = paste(deparse(f), "on mroz; work3 as in export_data.py; base outcome 0; cluster = age"),
              mroz_mlogit_base2 = paste(deparse(f), "on mroz; base outcome 2; classical only"))
m <- fit_mlogit(f, d, base = 1)
for (v in c("classical", "robust", "cluster")) emit_fit("mroz_mlogit", "mlogit", v, "none", m$terms, m$theta, ml_vcov(m$H, m$S, m$w, v, d$age))
emit("mroz_mlogit", "mlogit", "classical", "none", "", "loglik", m$ll)
# package cross-check of the classical SEs (nnet's Hessian is analytic)
stopifnot(all.equal(unname(sqrt(diag(solve(m$mn$Hessian)))), unname(sqrt(diag(ml_vcov(m$H, m$S, m$w, "classical")))), tolerance = 1e-4))

rd <- replicate_rows(d, d$fw)
mr <- fit_mlogit(f, rd, base = 1)
for (v in c("classical", "robust", "cluster")) emit_fit("mroz_mlogit", "mlogit", v, "freq", mr$terms, mr$theta, ml_vcov(mr$H, mr$S, mr$w, v, rd$age))
emit("mroz_mlogit", "mlogit", "classical", "freq", "", "loglik", mr$ll)
mp <- fit_mlogit(f, d, base = 1, w = d$pw)
for (v in c("robust", "cluster")) emit_fit("mroz_mlogit", "mlogit", v, "prob", mp$terms, mp$theta, ml_vcov(mp$H, mp$S, mp$w, v, d$age))

m2 <- fit_mlogit(f, d, base = 3)
emit_fit("mroz_mlogit_base2", "mlogit", "classical", "none", m2$terms, m2$theta, ml_vcov(m2$H, m2$S, m2$w, "classical"))

# AMEs on P(y = j): dP_j/dx = P_j (b_jx - sum_m P_m b_mx); 0 -> 1 change for city
k <- ncol(m$X); J <- m$J
ame <- function(theta) {
  P <- softmax_probs(theta, m$X, J, 1)
  B <- matrix(0, J, k); B[2:J, ] <- matrix(theta, J - 1, k, byrow = TRUE)
  out <- c()
  for (v in setdiff(colnames(m$X), c("(Intercept)", "city"))) {
    bx <- B[, which(colnames(m$X) == v)]
    out <- c(out, setNames(colMeans(P * (matrix(bx, nrow(P), J, byrow = TRUE) - drop(P %*% bx))), paste0(0:(J - 1), ":", v)))
  }
  X1 <- m$X; X1[, "city"] <- 1; X0 <- m$X; X0[, "city"] <- 0
  c(out, setNames(colMeans(softmax_probs(theta, X1, J, 1) - softmax_probs(theta, X0, J, 1)), paste0(0:(J - 1), ":city")))
}
for (v in c("classical", "cluster")) {
  V <- ml_vcov(m$H, m$S, m$w, v, d$age)
  est <- ame(m$theta)
  emit("mroz_mlogit", "mlogit", v, "none", names(est), "ame", est)
  emit("mroz_mlogit", "mlogit", v, "none", names(est), "ame_se", delta_se(ame, m$theta, V, rep(col_scale(m$X), J - 1)))
}

write_outputs("mlogit", cases, c("nnet"))
