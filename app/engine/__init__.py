"""The engine adapter: the only package that imports SpiffWorkflow.

Public surface: load and validate diagrams (``load_directory``, ``load_definition``), run them
(``WorkflowEngine``) and the plain data it returns; parse outside XML safely (``parse_untrusted``).
"""

from .called_processes import CalledFile as CalledFile
from .called_processes import Resolver as Resolver
from .catalogue import diagram_lanes as diagram_lanes
from .definitions import ElementInfo as ElementInfo
from .definitions import ProcessDefinition as ProcessDefinition
from .flowgraph import flow_graph as flow_graph
from .loader import load_definition as load_definition
from .loader import load_definitions as load_definitions
from .loader import load_directory as load_directory
from .loader import load_set as load_set
from .loader import set_resolver as set_resolver
from .replay import Deviation as Deviation
from .replay import RecordedStep as RecordedStep
from .replay import ReplayResult as ReplayResult
from .runtime import EngineEvent as EngineEvent
from .runtime import ReadyTask as ReadyTask
from .runtime import Snapshot as Snapshot
from .runtime import TaskNotReady as TaskNotReady
from .runtime import ThrownMessage as ThrownMessage
from .runtime import UnknownTask as UnknownTask
from .runtime import WaitingTimer as WaitingTimer
from .runtime import WorkflowEngine as WorkflowEngine
from .safe_xml import DTD_REFUSED as DTD_REFUSED
from .safe_xml import UnsafeXml as UnsafeXml
from .safe_xml import parse_untrusted as parse_untrusted
