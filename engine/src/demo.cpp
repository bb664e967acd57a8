#include "embedscope/engine/demo.h"

#include "embedscope/engine/detector_events.h"
#include "embedscope/engine/development.h"
#include "embedscope/engine/error.h"
#include "embedscope/engine/hodgkin_huxley.h"
#include "embedscope/engine/project.h"
#include "embedscope/engine/training.h"

#include <filesystem>

namespace embedscope {
namespace {
// Bump when the simulator or the demo parameters change, so stale demo files are remade.
constexpr const char* kDemoTag = "\"demo_version\":7";
constexpr const char* kDemoDataset = kDemoOpenFieldDataset;
} // namespace

OpenFieldParams demoOpenFieldParams() {
    OpenFieldParams p;
    p.substances = 3;
    p.doses = 4; // four doses so the Hill fit of the dose-response view has a curve (issue 7)
    p.animalsPerGroup = 16;
    p.minutes = 10.0;
    p.experiments = 4;
    p.valFraction = 0.25;
    p.seed = 2026;
    return p;
}

CellPlateSimParams demoCellPlateParams() {
    CellPlateSimParams p;
    p.plates = 2;
    p.controlsPerPlate = 8;
    p.compoundEffect = 0.15;
    p.seed = 2026;
    return p;
}

std::string ensureDemoProject(const std::string& directory, const JobContext& ctx) {
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::create_directories(directory, ec);
    if (ec)
        throw IoError(directory + ": cannot create the demo directory (" + ec.message() + ")");
    const std::string path = (fs::path(directory) / "embedscope-demo.h5").string();
    if (fs::exists(path)) {
        try {
            ProjectFile existing = ProjectFile::open(path);
            if (existing.hasDataset(kDemoDataset) &&
                existing.readDatasetHeader(kDemoDataset).attributesJson.find(kDemoTag) !=
                    std::string::npos)
                return path;
        } catch (const Error&) {
            // unreadable or stale: remade below
        }
    }
    const JobContext openfieldPart(ctx, 0.0, 0.6);
    Dataset data = simulateOpenField(demoOpenFieldParams(), openfieldPart);
    data.name = kDemoDataset;
    // Tag the attributes so a later version can tell its own demo file.
    std::string attrs = data.attributesJson;
    const auto brace = attrs.find('{');
    if (brace != std::string::npos)
        attrs.insert(brace + 1, std::string(kDemoTag) + (attrs.size() > brace + 2 ? "," : ""));
    data.attributesJson = attrs;
    ProjectFile project = ProjectFile::create(path, true);
    project.writeDataset(data);

    HHDatasetParams hh; // the seed's protocol, fewer traces (seed 001 §3.1.2 has 10,000)
    hh.n = 1000;
    hh.seed = 2026;
    Dataset signals = simulateHodgkinHuxleyDataset(hh, JobContext(ctx, 0.6, 0.85));
    signals.name = kDemoSignalsDataset;
    project.writeDataset(signals);

    TpcParams tpc; // seed 002 had 4,000 per class at 128 x 128
    tpc.perClass = 300;
    tpc.imageSize = 64;
    tpc.seed = 2026;
    Dataset events = simulateTpcEvents(tpc, JobContext(ctx, 0.85, 0.95));
    events.name = kDemoEventsDataset;
    project.writeDataset(events);

    DevelopmentParams development; // the defaults: wt + 4 perturbations, 24 embryos, 12 times
    development.seed = 2026;
    Dataset embryos = simulateDevelopment(development, JobContext(ctx, 0.95, 1.0));
    embryos.name = kDemoDevelopmentDataset;
    project.writeDataset(embryos);
    return path;
}

std::string addDemoGenerativeRun(const std::string& projectPath, const JobContext& ctx) {
    ProjectFile project = ProjectFile::open(projectPath);
    const Dataset signals = project.readDataset(kDemoSignalsDataset);
    TrainConfig cfg = parseTrainConfig(
        R"({"model": "vae-mlp", "epochs": 10, "batch_size": 32, "run_name": "hh-vae"})",
        {"model_params.latent_dim=2"});
    RunRecord run = train(signals, cfg, ctx);
    run.name = "hh-vae";
    ProjectFile::openOrCreate(projectPath).writeRun(run);
    return run.name;
}

std::vector<std::string> addDemoGeometryRuns(const std::string& projectPath,
                                             const JobContext& ctx) {
    const Dataset embryos = ProjectFile::open(projectPath).readDataset(kDemoDevelopmentDataset);
    std::vector<std::string> names;
    const char* betas[] = {"0.1", "10"};
    for (int b = 0; b < 2; ++b)
        for (int held = 0; held < 2; ++held) {
            const std::string name = std::string("dev-mvae-b") + betas[b] + (held ? "-hld" : "");
            const TrainConfig cfg = parseTrainConfig(
                held ? R"({"holdout": "gdf3,lmx1b"})" : "{}",
                {"model=vae-mlp", "loss=metric-elbo", "group_column=perturbation", "epochs=12",
                 "batch_size=32", "model_params.latent_dim=10",
                 std::string("loss_params.beta=") + betas[b], "loss_params.metric_weight=50",
                 "loss_params.self_target_prob=0.25", "loss_params.margin=2",
                 "loss_params.time_window=3", "run_name=" + name});
            const int part = 2 * b + held;
            RunRecord run = train(embryos, cfg, JobContext(ctx, part / 4.0, (part + 1) / 4.0));
            run.name = name;
            ProjectFile::openOrCreate(projectPath).writeRun(run);
            names.push_back(name);
        }
    return names;
}

} // namespace embedscope
