"""Import every domain's tables so the metadata (and Alembic) sees all of them."""

from ihospital.consultation import models as consultation_models  # noqa: F401
from ihospital.identity import models as identity_models  # noqa: F401
from ihospital.kernel.db import Base
from ihospital.security import models as security_models  # noqa: F401
from ihospital.supervision import models as supervision_models  # noqa: F401
from ihospital.triage import models as triage_models  # noqa: F401

metadata = Base.metadata
