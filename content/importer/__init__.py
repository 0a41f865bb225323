"""Import a plan (kế hoạch) as issued into a campaign's `plan:` block.

Pure steps, each testable alone: `read` (bytes → paragraphs), `parse` (paragraphs → a
section tree with the header, preamble and signature), `dates` (dates found in the text),
`write` (the plan → a YAML block put between marker comments of a campaign file).
"""

from content.importer.errors import PlanError
from content.importer.parse import ParsedPlan, parse_plan
from content.importer.read import PlanText, read_bytes, read_plan

__all__ = ["ParsedPlan", "PlanError", "PlanText", "parse_plan", "read_bytes", "read_plan"]
