"""Peak resident memory of the running process, shared by the PyTorch reference scripts beside this file."""
import resource


def peak_rss_mib():
    """VmHWM of /proc/self/status in MiB, as relic reads its own peak.

    Not ru_maxrss: Linux carries the parent's peak across fork and exec into the child's ru_maxrss (a vfork child execs
    from the parent's address space), so when relic bench step, itself about 1.5 GiB resident, starts a reference script,
    ru_maxrss reports the larger of the two processes' peaks. VmHWM belongs to this process' own address space; ru_maxrss
    is the fallback where /proc is missing."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)  # kB
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # Linux: KiB
