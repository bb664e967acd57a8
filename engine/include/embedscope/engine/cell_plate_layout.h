#pragma once
// The plate layout of a crops data set (issue 8 GUI "Plate view"): which wells of which plates
// hold how many cells, their plate-map metadata, and the site images behind them, read back
// from the plate folder the crops were cut from (the cell-plate reader records images.csv in
// the data set's attributesJson "images").
#include "embedscope/engine/dataset.h"

#include <map>
#include <string>
#include <vector>

namespace embedscope {

/// One well of a plate as the crops data set knows it.
struct CellWell {
    std::string plate;
    std::string well; ///< e.g. "B03"
    int row = -1;     ///< 0-based, from the well name's letters ("A" = 0, "AA" = 26)
    int column = -1;  ///< 0-based, from the well name's digits ("03" = 2)
    std::size_t cells = 0;
    std::vector<std::size_t> crops; ///< sample indices of the well's crops, in data set order
    std::vector<int> sites;         ///< the well's site numbers (Site column), ascending
    /// Metadata columns constant within the well (compound, dose, moa, control, Batch, ...),
    /// as text; columns varying within the well (Site, Cell, X, Y, split) are left out.
    std::map<std::string, std::string> metadata;
};

struct CellPlate {
    std::string name;
    int rows = 0;                ///< 1 + the largest well row seen (at least 1)
    int columns = 0;             ///< 1 + the largest well column seen
    std::vector<CellWell> wells; ///< in order of first appearance in the data set
};

/// The plates (in order of first appearance) of a crops data set with metadata columns Plate
/// and Well. Throws DataError naming the data set when either column is missing, the data set
/// has no samples, or a well name is not letters followed by digits ("B3", "B03").
std::vector<CellPlate> cellPlateLayout(const Dataset& crops);

/// Row and column (0-based) of a well name; false when it is not letters then digits.
bool parseCellWellName(const std::string& well, int& row, int& column);

/// One site image: every channel as a page of width x height values in [0, 1].
struct CellSiteImage {
    std::string plate, well;
    int site = 0;
    int width = 0, height = 0;
    std::vector<std::string> channels;
    std::vector<std::vector<float>> pages; ///< channels.size() pages, row-major
};

/// Reads a gray TIFF (every page; 8- or 16-bit unsigned, or 32-bit float) as values in [0, 1]
/// (integers / (2^bits − 1)). Throws IoError naming the path when it cannot be read and
/// FormatError for other sample formats or pages of different sizes.
std::vector<std::vector<float>> readGrayTiff(const std::string& path, int& width, int& height);

/// The site images of one well, read through the images.csv named in the data set's
/// attributesJson "images" (paths relative to images.csv; FileName_<channel> columns, several
/// channels naming one file = its pages in column order), channels in the data set's
/// attributesJson "channels" order. Sites are those of images.csv for the plate and well, by
/// ascending Metadata_Site. Throws DataError when the attributes name no images.csv (the
/// crops were not cut by the cell-plate reader) and IoError naming the file that is missing or
/// unreadable (the plate folder was moved): the caller shows the crops only. A well that
/// images.csv does not list gives no sites (an empty vector). Pages of a multi-page file are
/// assigned by the order of its FileName_ columns in images.csv, whatever the channel order.
std::vector<CellSiteImage> readCellWellSites(const Dataset& crops, const std::string& plate,
                                             const std::string& well);

} // namespace embedscope
