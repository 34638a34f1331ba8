"""Exceptions and warning categories of flexemp.

Every exception raised on purpose derives from :class:`FlexempError`; most also
derive from a builtin (``ValueError``, ``KeyError`` …) so that generic callers can
catch them.  Messages say what is wrong, where, and what to do.
"""

from __future__ import annotations


class FlexempError(Exception):
    """Base class of every error flexemp raises on purpose."""


class UnsupportedOptionError(FlexempError, ValueError):
    """An option value is not one of the supported values."""


class CodebookError(FlexempError, ValueError):
    """A codebook is malformed; ``problems`` lists every problem found."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        self.problems = list(problems or [])
        if self.problems:
            shown = "\n".join(f"  - {p}" for p in self.problems[:50])
            more = len(self.problems) - 50
            tail = f"\n  … and {more} more" if more > 0 else ""
            message = f"{message}\n{shown}{tail}"
        super().__init__(message)


class ReadError(FlexempError, ValueError):
    """A data file cannot be read (format, encoding, corrupt content)."""


class EncodingUndecidedError(ReadError):
    """The text encoding of a CSV file cannot be decided; pass ``encoding=``."""


class ValidationFailed(FlexempError, ValueError):
    """Ingest found invalid rows and the policy is to reject the whole file."""

    def __init__(self, message: str, report: object | None = None) -> None:
        self.report = report
        super().__init__(message)


class PseudonymKeyError(FlexempError, RuntimeError):
    """Direct identifiers are present but no pseudonymisation key is configured."""


class WarehouseError(FlexempError, RuntimeError):
    """A warehouse operation cannot be carried out as asked."""


class WaveNotFoundError(WarehouseError, KeyError):
    """The requested wave (or dataset) is not in the warehouse."""

    def __str__(self) -> str:  # KeyError quotes its message otherwise
        return str(self.args[0]) if self.args else ""


class ScreeningError(FlexempError, ValueError):
    """A screening rule is malformed or refers to unknown variables."""


class DatasetNotFoundError(FlexempError, KeyError):
    """No embedded synthetic dataset has this name."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class FlexempWarning(UserWarning):
    """Base class of flexemp's warnings."""


class DroppedRowsWarning(FlexempWarning):
    """Rows were dropped (for example because of missing values)."""


class NonConvergenceWarning(FlexempWarning):
    """An iterative procedure did not converge; the result may be unusable."""


class WeightsWarning(FlexempWarning):
    """Something about the weights deserves attention."""


class PIIWarning(FlexempWarning):
    """Possible personal data was found where none was declared."""


class UnknownVariableError(FlexempError, KeyError):
    """A variable name is not in the codebook."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class EstimationError(FlexempError, ValueError):
    """A model cannot be estimated as specified."""


class SingularDesignError(EstimationError):
    """The design matrix is rank deficient; ``columns`` holds the offending column indices or names."""

    def __init__(self, message: str, columns: tuple[int | str, ...] = ()) -> None:
        self.columns = columns
        super().__init__(message)


class SeparationError(EstimationError):
    """Perfect or quasi-complete separation; ``columns`` names the separating regressors when known."""

    def __init__(self, message: str, columns: tuple[int | str, ...] = ()) -> None:
        self.columns = columns
        super().__init__(message)


class ConvergenceError(EstimationError):
    """An iterative fit did not converge."""


class EmptyCategoryError(EstimationError):
    """An outcome category has no observations."""


class ScaleError(FlexempError, ValueError):
    """A multi-item scale cannot be analysed as asked (too few items, text or constant items …)."""


class SingularCorrelationError(ScaleError):
    """The items' correlation matrix is singular (an item is a linear combination of others)."""


class StakeholderScoresError(FlexempError, ValueError):
    """Stakeholder scores (Mitchell score method) are malformed, incomplete or out of range."""


class AuditFormatError(FlexempError, ValueError):
    """A transcription of published tables (``flexemp audit``) cannot be read as written."""


class IndexInputError(FlexempError, ValueError):
    """Input to a diffusion index (columns, codes, scores, weights) cannot be used as given."""


class WeightingError(FlexempError, ValueError):
    """Survey weights cannot be computed as asked (base weights, margin variables, bounds)."""


class MarginsError(WeightingError):
    """Population margins do not match the sample (levels, shares that do not sum to 1, totals)."""


class FontNotFoundError(FlexempError, RuntimeError):
    """No usable CJK font for the charts (``FLEXEMP_CJK_FONT`` or the shipped font)."""


class MissingGlyphError(FontNotFoundError, ValueError):
    """The chart font has no glyph for some characters; ``missing`` holds them."""

    def __init__(self, message: str, missing: str = "") -> None:
        self.missing = missing
        super().__init__(message)


class StudyError(FlexempError, ValueError):
    """A study file is invalid, or one of its analyses failed (the message names the step and option)."""


class ChartInputError(FlexempError, ValueError):
    """The data given to a chart builder cannot make the chart (missing columns, lengths, percentages)."""


class DescribeError(FlexempError, ValueError):
    """A descriptive statistic cannot be computed as asked (weights, levels, all-missing data)."""


class NarrativeInputError(FlexempError, ValueError):
    """A number or label given to a narrative template cannot be turned into a true sentence."""
