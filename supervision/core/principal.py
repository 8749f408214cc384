"""Who is asking: every domain query and write takes a Principal and scopes itself by it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Role(Enum):
    LEADER = "领导"          # reads everything
    BUREAU = "局办人员"      # reads everything, writes their department's data
    TOWNSHIP = "镇区人员"    # reads and writes only their township
    ADMIN = "管理员"         # users and settings
    SCREEN = "大屏"          # read-only link token: overview and map only


@dataclass(frozen=True)
class Principal:
    username: str
    display_name: str
    role: Role
    township: str | None = None
    department: str | None = None

    @property
    def township_scope(self) -> str | None:
        """The only township this principal may see, or None for the whole jurisdiction."""
        return self.township if self.role is Role.TOWNSHIP else None


SYSTEM = Principal("system", "系统（命令行）", Role.ADMIN)
"""The command line and scheduled jobs act with full rights, recorded as this actor."""


def is_system(principal: Principal) -> bool:
    """The command line's principal; "system" is reserved, so no signed-in account can be it."""
    return principal.username == SYSTEM.username and principal.role is Role.ADMIN

# The actor of the demo package's import: its presence makes every page say the data are fictional.
DEMO_ACTOR = "演示数据生成器"
