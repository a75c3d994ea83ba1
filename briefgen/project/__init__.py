"""The desk's project file (`briefgen.yaml`) and the options every command resolves from it.

`resolve_project` finds the file from the current folder upward (as mkdocs finds mkdocs.yml),
reads it, lets command-line flags override it, and returns one `Project` whose `render` options
`render`, `send`, `preview` and `schedule run-due` all use: the PDF a client receives is the
PDF `render` made.

Public names are imported when first asked for (`briefgen.lazy`): finding the file
(`locate`), as a cache hit of `briefgen render` does, must not import pydantic.
"""

from typing import TYPE_CHECKING

from briefgen.lazy import public_names

if TYPE_CHECKING:
    from briefgen.project.file import LoadedProjectFile, ProjectFile, load_project_file
    from briefgen.project.locate import PROJECT_FILE, find_project_file
    from briefgen.project.resolve import Overrides, Project, resolve_project

__all__ = ["PROJECT_FILE", "LoadedProjectFile", "Overrides", "Project", "ProjectFile",
           "find_project_file", "load_project_file", "resolve_project"]
__getattr__ = public_names(__name__, {
    "PROJECT_FILE": "locate",
    "find_project_file": "locate",
    "LoadedProjectFile": "file",
    "ProjectFile": "file",
    "load_project_file": "file",
    "Overrides": "resolve",
    "Project": "resolve",
    "resolve_project": "resolve",
})
