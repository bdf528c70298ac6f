// P/Invoke declarations for src/Core/Native/rs_module.cpp (module support for Core/Nn).
using System.Runtime.InteropServices;

namespace ReLICv2;

internal static unsafe partial class Native
{
    [LibraryImport(Lib)] internal static partial int rs_module_set_data(TensorHandle self, TensorHandle data);
}
