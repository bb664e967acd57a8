#pragma once
// Registries by name for models and losses. The GUI builds its forms from these specs; the
// trainer validates configs against them. No torch types here.
#include <string>
#include <vector>

namespace embedscope {

/// One hyperparameter of a model or loss.
struct ParamSpec {
    enum class Type { Int, Double, Bool, Choice };
    std::string key;
    Type type = Type::Double;
    std::string label;       ///< shown in the GUI
    std::string help;        ///< tooltip / --help text
    double defaultValue = 0; ///< Int/Double/Bool (0/1)
    double minValue = 0;
    double maxValue = 0;
    std::vector<std::string> choices; ///< for Choice
    std::string defaultChoice;
};

struct ComponentInfo {
    std::string name;
    std::string description;
    std::vector<ParamSpec> params;
};

/// Encoders that map a sample to an embedding vector.
std::vector<ComponentInfo> modelRegistry();
/// Contrastive / metric losses.
std::vector<ComponentInfo> lossRegistry();
/// Throws ConfigError naming the unknown model / loss and listing the known ones.
const ComponentInfo& findModel(const std::string& name);
const ComponentInfo& findLoss(const std::string& name);

} // namespace embedscope
