#include "embedscope/viewer/png_export.h"

#include "embedscope/engine/error.h"

#include <vtkErrorCode.h>
#include <vtkNew.h>
#include <vtkPNGWriter.h>
#include <vtkRenderWindow.h>
#include <vtkWindowToImageFilter.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace embedscope::viewer {

void exportPng(vtkRenderWindow* window, const std::string& path, int scale) {
    if (window == nullptr) {
        throw std::invalid_argument("exportPng: no render window");
    }
    if (scale < 1) {
        throw std::invalid_argument("exportPng: scale must be >= 1, got " + std::to_string(scale));
    }
    // vtkPNGWriter only prints a VTK error for an unwritable path; open it ourselves first so
    // the caller gets a typed error with the reason.
    if (std::FILE* probe = std::fopen(path.c_str(), "wb")) {
        std::fclose(probe);
    } else {
        throw IoError("cannot write PNG '" + path + "': " + std::strerror(errno));
    }

    vtkNew<vtkWindowToImageFilter> grab;
    grab->SetInput(window);
    grab->SetScale(scale);
    grab->SetInputBufferTypeToRGB();
    grab->ReadFrontBufferOff(); // the back buffer is what VTK just rendered, never covered
    grab->ShouldRerenderOn();
    grab->Update();

    vtkNew<vtkPNGWriter> writer;
    writer->SetFileName(path.c_str());
    writer->SetInputConnection(grab->GetOutputPort());
    writer->Write();
    if (writer->GetErrorCode() != vtkErrorCode::NoError) {
        throw IoError("cannot write PNG '" + path +
                      "': " + vtkErrorCode::GetStringFromErrorCode(writer->GetErrorCode()));
    }
}

} // namespace embedscope::viewer
