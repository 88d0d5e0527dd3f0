#include "trace/trace-hw_svmdemo.h"
