#pragma once
// Private to engine/workflow: the Boost.Graph representation of a workflow. One vertex per stage
// (vertex index == stage index), one edge per transition, `after` clause and expanded `-> back`.
#include <boost/graph/adjacency_list.hpp>

#include "workflow/workflow.hpp"

namespace subsidy::workflow {

struct VertexProp {
  std::uint32_t stage = 0;
};

using StageGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS, VertexProp, Edge>;
using Vertex = boost::graph_traits<StageGraph>::vertex_descriptor;
using GraphEdge = boost::graph_traits<StageGraph>::edge_descriptor;

struct Workflow::Graph {
  StageGraph g;
};

}  // namespace subsidy::workflow
