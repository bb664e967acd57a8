#pragma once
// Registries by name for models and losses. The GUI builds its forms from these specs; the
// trainer validates configs against them. No torch types here.
#include <string>
#include <vector>

namespace embedscope {

/// One hyperparameter of a model or loss.
struct ParamSpec {
    /// IntList: comma-separated integers (e.g. "11,5,3"), each in [minValue, maxValue], kept as
    /// text in the choices map; JSON accepts the text or an array.
    enum class Type { Int, Double, Bool, Choice, IntList };
    std::string key;
    Type type = Type::Double;
    std::string label;       ///< shown in the GUI
    std::string help;        ///< tooltip / --help text
    double defaultValue = 0; ///< Int/Double/Bool (0/1)
    double minValue = 0;
    double maxValue = 0;
    std::vector<std::string> choices; ///< for Choice
    std::string defaultChoice;        ///< Choice, and IntList as text
    std::size_t maxItems = 0;         ///< IntList: most entries (at least one)
};

struct ComponentInfo {
    std::string name;
    /// Models: "encoder" (contrastive, seed 000) or "generative" (VAE family, seeds 001/002).
    /// Losses: "contrastive" or "generative" (the ELBO of the generative models).
    std::string kind;
    std::string description;
    std::vector<ParamSpec> params;
};

/// Encoders that map a sample to an embedding vector.
std::vector<ComponentInfo> modelRegistry();
/// Contrastive / metric losses.
std::vector<ComponentInfo> lossRegistry();
/// True when `model` is a registered generative model (its kind is "generative").
bool isGenerativeModel(const std::string& model);
/// Throws ConfigError naming the unknown model / loss and listing the known ones.
const ComponentInfo& findModel(const std::string& name);
const ComponentInfo& findLoss(const std::string& name);

} // namespace embedscope
