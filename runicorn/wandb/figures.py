"""``wandb.Plotly`` and ``wandb.Graph``: figures W&B's web app draws with its own scripts, kept
here in a form that survives offline (docs/wandb.md#data-types).

A ``Plotly`` made from a matplotlib figure (or ``pyplot``) is stored as the figure's PNG, an
ordinary image of the run; one made from a plotly figure as its JSON
(``media/plotly/<key>_<step>_<hash>.plotly.json``, no viewer yet). A matplotlib figure that
holds an image is refused, as W&B refuses it; ``Plotly.make_plot_media`` makes a
``wandb.Image`` of it instead. A ``Graph`` (a model's layers and their edges, W&B's
``watch(log_graph=True)``) is stored as its JSON (``media/graph/...graph.json``).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, ClassVar

from runicorn.wandb.image import Image, is_matplotlib, matplotlib_figure
from runicorn.wandb.media_file import FileMedia

if TYPE_CHECKING:
    from runicorn.sdk.run_like import RunLike

__all__ = ["Edge", "Graph", "Node", "Plotly"]


def _contains_images(figure: Any) -> bool:
    return any(len(getattr(ax, "images", [])) > 0 for ax in figure.axes)


class Plotly(FileMedia):
    """A plotly figure, or a matplotlib figure without images (stored as its PNG)."""

    _log_type: ClassVar[str] = "plotly-file"
    subdir: ClassVar[str] = "plotly"

    def __init__(self, val: Any) -> None:
        self._caption = None
        self._figure: Any = None
        self._image: Image | None = None
        if is_matplotlib(val):
            figure = matplotlib_figure(val)
            if _contains_images(figure):
                raise ValueError(
                    "Plotly does not currently support converting matplotlib figures containing images."
                    " (hint: log it as wandb.Image, or use wandb.Plotly.make_plot_media)"
                )
            self._image = Image(figure)
            return
        if not hasattr(val, "to_plotly_json"):
            raise ValueError("wandb.Plotly takes a plotly figure or a matplotlib figure")
        self._figure = val
        path = self._scratch_path(".plotly.json")
        with open(path, "w") as f:
            json.dump(
                val.to_plotly_json(), f, default=lambda v: v.tolist() if hasattr(v, "tolist") else str(v)
            )
        self._set_file(path, is_tmp=True, extension=".plotly.json")

    @classmethod
    def make_plot_media(cls, val: Any) -> Plotly | Image:
        """A ``wandb.Image`` of a matplotlib figure that holds images, else a ``Plotly``."""
        if is_matplotlib(val) and _contains_images(matplotlib_figure(val)):
            return Image(val)
        return cls(val)

    def _file(self) -> str:
        if self._image is not None:
            return self._image._file()
        return super()._file()

    def log_into(self, run: RunLike, key: str, step: int) -> None:
        if self._image is not None:
            self._image.log_into(run, key, step)
        else:
            super().log_into(run, key, step)


class Node:
    """A node of a :class:`Graph` (a layer)."""

    def __init__(
        self,
        id: Any = None,
        name: str | None = None,
        class_name: str | None = None,
        size: Any = None,
        parameters: Any = None,
        output_shape: Any = None,
        is_output: bool | None = None,
        num_parameters: int | None = None,
        node: Node | None = None,
    ) -> None:
        self._attributes: dict[str, Any] = {"name": None}
        self.in_edges: dict[Any, Edge] = {}
        self.out_edges: dict[Any, Edge] = {}
        if node is not None:
            self._attributes.update(node._attributes)
        given = {"id": id, "name": name, "class_name": class_name, "size": size, "parameters": parameters}
        given.update(output_shape=output_shape, is_output=is_output, num_parameters=num_parameters)
        self._attributes.update({k: v for k, v in given.items() if v is not None})

    def __getattr__(self, name: str) -> Any:
        attributes = self.__dict__.get("_attributes", {})
        if name in attributes:
            return attributes[name]
        raise AttributeError(name)

    def to_json(self, run: Any = None) -> dict[str, Any]:
        return dict(self._attributes)


class Edge:
    """An edge of a :class:`Graph`, from one node to another."""

    def __init__(self, from_node: Node, to_node: Node) -> None:
        self.from_node, self.to_node = from_node, to_node

    def to_json(self, run: Any = None) -> list[Any]:
        return [self.from_node.id, self.to_node.id]


class Graph(FileMedia):
    """A model's graph: :class:`Node` s and the :class:`Edge` s between them."""

    _log_type: ClassVar[str] = "graph-file"
    subdir: ClassVar[str] = "graph"

    def __init__(self, format: str = "keras") -> None:
        self._caption = None
        self.format = format
        self.nodes: list[Node] = []
        self.nodes_by_id: dict[Any, Node] = {}
        self.edges: list[Edge] = []
        self.loaded = False
        self.criterion = None
        self.criterion_passed = False
        self.root: Node | None = None

    def add_node(self, node: Node | None = None, **node_kwargs: Any) -> Node:
        node = node if node is not None else Node(**node_kwargs)
        if node.id is None:
            node._attributes["id"] = len(self.nodes)
        self.nodes.append(node)
        self.nodes_by_id[node.id] = node
        return node

    def add_edge(self, from_node: Node, to_node: Node) -> Edge:
        edge = Edge(from_node, to_node)
        self.edges.append(edge)
        return edge

    def _to_graph_json(self, run: Any = None) -> dict[str, Any]:
        return {
            "format": self.format,
            "nodes": [node.to_json() for node in self.nodes],
            "edges": [edge.to_json() for edge in self.edges],
        }

    def _write_file(self) -> None:
        path = self._scratch_path(".graph.json")
        with open(path, "w") as f:
            json.dump(self._to_graph_json(), f, default=str)
        self._set_file(path, is_tmp=True, extension=".graph.json")


def _plain(value: Any) -> Any:
    return value.tolist() if hasattr(value, "tolist") else str(value)
