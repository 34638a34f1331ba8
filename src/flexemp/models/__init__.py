"""Estimators: OLS, logit, probit, ordered probit/logit, multinomial logit, margins and VIF."""
