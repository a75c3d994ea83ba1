"""The desk's project file (`briefgen.yaml`) and the options every command resolves from it.

`resolve_project` finds the file from the current folder upward (as mkdocs finds mkdocs.yml),
reads it, lets command-line flags override it, and returns one `Project` whose `render` options
`render`, `send`, `preview` and `schedule run-due` all use: the PDF a client receives is the
PDF `render` made.
"""

from briefgen.project.file import (
    PROJECT_FILE,
    LoadedProjectFile,
    ProjectFile,
    find_project_file,
    load_project_file,
)
from briefgen.project.resolve import Overrides, Project, resolve_project

__all__ = ["PROJECT_FILE", "LoadedProjectFile", "Overrides", "Project", "ProjectFile",
           "find_project_file", "load_project_file", "resolve_project"]
