// The demo sweep (issue 6 "Demo and check"): a small grid on the demo's open field, run by the
// real local backend so the comparison views open on a real sweep.
#include "embedscope/engine/demo.h"

namespace embedscope {

std::string demoSweepSpecJson() {
    // Three epochs keep a run at a few seconds; the grid spans the two knobs seed 000 tunes
    // first (learning rate, SupCon temperature), and the repeats give μ ± 2σ bands.
    return R"({
  "name": "demo-sweep",
  "base": {"model": "conv1d-small", "loss": "supcon", "epochs": 3, "batch_size": 16,
           "metrics_every": 0},
  "method": "grid",
  "repeats": 2,
  "seed": 1,
  "parameters": {"learning_rate": [0.001, 0.003, 0.01],
                 "loss_params.temperature": [0.1, 1.0]},
  "metrics": ["wss_tss", "dr", "f1_micro"]
}
)";
}

} // namespace embedscope
