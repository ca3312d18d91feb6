namespace Headsup.Phantom;

/// <summary>Progress of <see cref="PhantomGenerator.Generate"/>: reported after each slice file.</summary>
/// <param name="Study">1-based number of the study being written.</param>
/// <param name="StudyCount">Number of studies in the run.</param>
/// <param name="Slice">1-based number of the slice just written within the study.</param>
/// <param name="SliceCount">Slices in this study.</param>
/// <param name="FilesWritten">DICOM files written so far in the run.</param>
public readonly record struct PhantomProgress(int Study, int StudyCount, int Slice, int SliceCount, int FilesWritten);
