"""Pure NumPy kernels of the estimators (no pandas, no state)."""
