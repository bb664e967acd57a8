#pragma once
// A DeepLabCut pose table as read from its CSV or HDF5 file, before any preprocessing: one row
// per video frame, one column per (individual, body part, coordinate), coordinates x, y and
// (for network output) likelihood. Human-labelled files have no likelihood.
#include <cstdint>
#include <string>
#include <vector>

namespace embedscope::plugins {

struct DlcColumn {
    std::string individual; ///< empty for single-animal files
    std::string bodypart;
    std::string coord; ///< "x", "y" or "likelihood"
};

struct DlcTable {
    std::string path;
    std::string layout; ///< how the column labels were found, for the data set's notes
    std::vector<DlcColumn> columns;
    std::size_t frames = 0;
    std::vector<double> values; ///< frames x columns, row-major; NaN where missing

    double at(std::size_t frame, std::size_t column) const {
        return values[frame * columns.size() + column];
    }
};

/// Reads the CSV layout: 3 header rows (scorer / bodyparts / coords) or 4 (scorer /
/// individuals / bodyparts / coords), then one row per frame led by 1-3 index columns.
/// Throws IoError, or DataError naming the file, the line and the column.
DlcTable readDlcCsv(const std::string& path);

/// Reads the HDF5 layouts pandas writes: "table" (PyTables frame_table: a compound dataset
/// <key>/table with values_block_0, labels in the pickled non_index_axes attribute) and
/// "fixed" (<key>/block0_values with block0_items_level*/label* datasets). Throws IoError or
/// DataError naming the file and the problem.
DlcTable readDlcH5(const std::string& path);

/// True when the HDF5 file holds a pandas DataFrame group (a cheap look; never throws).
bool looksLikeDlcH5(const std::string& path);

/// Checks the coordinates (x, y, likelihood only; x and y of every body part); throws DataError
/// naming the file and the offending column.
void checkDlcColumns(const DlcTable& table);

/// One animal's positions from a table: one body part, or "centroid" (the mean of the parts
/// valid in that frame). A frame is valid when x, y are finite and the likelihood (when the
/// file has one) is >= cutoff; invalid frames are left for the preprocessing to interpolate.
struct DlcTrack {
    std::string individual;
    std::vector<double> x, y;
    std::vector<bool> valid;
};

/// The individuals of the table in file order ({""} for single-animal files).
std::vector<std::string> dlcIndividuals(const DlcTable& table);

/// Throws ConfigError naming the file and listing the body parts when `bodypart` is neither
/// "centroid" nor one of them.
DlcTrack extractDlcTrack(const DlcTable& table, const std::string& individual,
                         const std::string& bodypart, double cutoff);

} // namespace embedscope::plugins
